package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.lake.archive.Archiver;
import io.analytics.lake.archive.LakeLayout;
import io.analytics.lake.store.ObjectStore;
import io.analytics.lake.store.S3ObjectStore;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiver against the real Kafka broker and a real S3-compatible server: every acknowledged event
 * lands in Parquet exactly once, readable by DuckDB, under the hour of its event time; and an archiver
 * that dies after an upload but before its commit is succeeded by one that overwrites, not duplicates.
 */
class LakeArchiverIntegrationTest {

    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;
    static TestPostgres postgres;
    static TestS3 s3;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        postgres = new TestPostgres();
        s3 = TestS3.start(tmp.resolve("s3"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) kafka.close();
        if (postgres != null) postgres.close();
        if (s3 != null) s3.close();
    }

    @Test
    void everyAcknowledgedEventIsArchivedOnceUnderItsEventHour() throws Exception {
        GroundTruth truth = new GroundTruth();
        try (AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"),
                LakeFiles.nodeSettings(s3, "archive"));
                KafkaProducer<byte[], byte[]> direct = TestSupport.producer(kafka.bootstrapServers())) {
            ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
            new Feeder(api, truth, direct, "events.raw", 11).feed(EventScenario.generate(5, 3000, "lake"), 250);
            awaitArchived(api, truth.size());
        }

        Path files = tmp.resolve("archive-copy");
        List<String> keys;
        try (S3ObjectStore store = LakeFiles.s3(s3, "archive")) {
            keys = LakeFiles.download(store, files);
        }
        assertThat(keys).allMatch(key -> key.matches("events/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/events\\.raw-\\d+-\\d{19}-\\d{19}\\.parquet"));
        assertNoOverlappingRanges(keys);

        Map<String, Long> counts = LakeFiles.eventIdCounts(files);
        assertThat(counts.keySet()).as("event ids in the lake").isEqualTo(truth.events().stream()
                .map(e -> e.get("event_id").asText()).collect(Collectors.toSet()));
        assertThat(counts.values()).as("each event once").containsOnly(1L);

        LakeFiles.query(files, "SELECT count(*) FROM " + LakeFiles.scan(files) + " WHERE year <> year(timestamp AT TIME ZONE 'UTC') "
                + "OR month <> month(timestamp AT TIME ZONE 'UTC') OR day <> day(timestamp AT TIME ZONE 'UTC') "
                + "OR hour <> hour(timestamp AT TIME ZONE 'UTC')", rows -> {
            rows.next();
            assertThat(rows.getLong(1)).as("events outside the folder of their event hour").isZero();
        });
        Map<String, ObjectNode> byId = truth.events().stream().collect(Collectors.toMap(e -> e.get("event_id").asText(), e -> e));
        LakeFiles.query(files, "SELECT event_id, event_type, epoch_ms(timestamp), user_id, amount, country, properties, project_id FROM "
                + LakeFiles.scan(files), rows -> {
            while (rows.next()) {
                ObjectNode sent = byId.get(rows.getString(1));
                assertThat(rows.getString(2)).isEqualTo(sent.get("event_type").asText());
                assertThat(rows.getLong(3)).isEqualTo(EventScenario.millis(sent));
                assertThat(rows.getString(4)).isEqualTo(sent.hasNonNull("user_id") ? sent.get("user_id").asText() : null);
                assertThat(rows.getObject(5) == null ? null : rows.getDouble(5)).as("amount")
                        .isEqualTo(sent.path("properties").has("amount") ? sent.path("properties").get("amount").asDouble() : null);
                assertThat(rows.getString(6)).isEqualTo(sent.path("properties").has("country")
                        ? sent.path("properties").get("country").asText() : null);
                assertThat(ApiClient.JSON.readTree(rows.getString(7))).isEqualTo(sent.path("properties"));
                assertThat(rows.getString(8)).isEqualTo("demo");
            }
        });
    }

    @Test
    void aRetryAfterUploadButBeforeCommitOverwritesTheSameFiles() throws Exception {
        String topic = "crash.raw";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<String> sent = new ArrayList<>(produce(topic, 0, 300));
        Archiver.Settings settings = new Archiver.Settings(kafka.bootstrapServers(), topic, "crash-archiver", 64L << 20,
                Duration.ofMillis(200), 1 << 20, tmp.resolve("staging-crash"));

        // Every upload of the first archiver lands in S3, and then the archiver fails before its
        // commit, as if it had died between the two.
        S3ObjectStore bucket = LakeFiles.s3(s3, "crash");
        RecordingStore dying = new RecordingStore(bucket, true);
        try (Archiver first = Archiver.start(settings, dying)) {
            await(() -> first.status().lastError() != null, first, "the first archiver's failure after its upload");
        }
        Set<String> uploadedNotCommitted = Set.copyOf(dying.uploaded);
        assertThat(uploadedNotCommitted).isNotEmpty();

        // More records arrive; the successor's first poll sees both waves, and without the intent it
        // would write them as one range under another name.
        sent.addAll(produce(topic, 300, 300));
        RecordingStore counting = new RecordingStore(bucket, false);
        try (Archiver second = Archiver.start(settings, counting)) {
            await(() -> second.status().lagRecords() == 0 && second.status().archivedRecords() == sent.size()
                    && second.status().lastUploadAt() > 0, second, "the successor archiving everything");
        }
        assertThat(counting.uploadsPerKey().keySet()).as("the successor re-uploaded the interrupted ranges under the same keys")
                .containsAll(uploadedNotCommitted);

        Path files = tmp.resolve("crash-copy");
        List<String> keys = LakeFiles.download(bucket, files);
        assertNoOverlappingRanges(keys);
        Map<String, Long> counts = LakeFiles.eventIdCounts(files);
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(counts.values()).as("each event once").containsOnly(1L);
        bucket.close();
    }

    private static void assertNoOverlappingRanges(List<String> keys) {
        Map<Integer, List<LakeLayout.FileRange>> byPartition = keys.stream().map(LakeLayout.FileRange::of).distinct()
                .collect(Collectors.groupingBy(LakeLayout.FileRange::partition));
        byPartition.forEach((partition, ranges) -> {
            List<LakeLayout.FileRange> sorted = ranges.stream()
                    .sorted(java.util.Comparator.comparingLong(LakeLayout.FileRange::firstOffset)).toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat(sorted.get(i).firstOffset()).as("ranges of partition " + partition + ": " + sorted)
                        .isGreaterThan(sorted.get(i - 1).lastOffset());
            }
        });
    }

    private static void awaitArchived(ApiClient api, long events) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        ApiClient.Response status = api.get("/api/v1/admin/lake");
        while (System.nanoTime() < deadline) {
            status = api.get("/api/v1/admin/lake");
            if (status.status() == 200 && status.body().get("lag_records").asLong() == 0
                    && status.body().get("archived_records").asLong() >= events) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(status.body().toString()).as("archiver status after 90 s").isEqualTo("lag 0 and " + events + " archived");
    }

    private static void await(BooleanSupplier condition, Archiver archiver, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what + "; status " + archiver.status()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<String> produce(String topic, int from, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = TestSupport.producer(kafka.bootstrapServers())) {
            for (int i = from; i < from + count; i++) {
                String id = "crash-" + i;
                String json = "{\"project_id\":\"demo\",\"event_id\":\"" + id + "\",\"event_type\":\"page_view\","
                        + "\"timestamp\":" + (1771236000000L + i * 1000L) + ",\"user_id\":\"u" + (i % 17) + "\"}";
                producer.send(new ProducerRecord<>(topic, ("demo/u" + (i % 17)).getBytes(StandardCharsets.UTF_8),
                        json.getBytes(StandardCharsets.UTF_8)));
                ids.add(id);
            }
            producer.flush();
        }
        return ids;
    }

    /**
     * The real store, recording uploads per key. {@code dieAfterUpload}: every upload lands and then
     * the call fails, so the archiver never reaches its commit (a crash between the two).
     */
    private static final class RecordingStore implements ObjectStore {
        private final ObjectStore delegate;
        private final boolean dieAfterUpload;
        final List<String> uploaded = new CopyOnWriteArrayList<>();

        RecordingStore(ObjectStore delegate, boolean dieAfterUpload) {
            this.delegate = delegate;
            this.dieAfterUpload = dieAfterUpload;
        }

        Map<String, Long> uploadsPerKey() {
            return uploaded.stream().collect(Collectors.groupingBy(key -> key, Collectors.counting()));
        }

        @Override
        public void put(String key, Path file) throws IOException {
            delegate.put(key, file);
            uploaded.add(key);
            if (dieAfterUpload) {
                throw new IOException("the archiver died after uploading " + key + ", before committing it");
            }
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return delegate.list(prefix);
        }

        @Override
        public void get(String key, Path target) throws IOException {
            delegate.get(key, target);
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }
}
