package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import io.analytics.core.event.EventCodec;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch layer end to end: events (some arriving long after their hour closed) are archived to a
 * real S3 server, {@code ./analytics batch} recomputes the day from the Parquet files, and the metrics
 * API then answers 1h and 1d windows from the batch views, exactly equal to the ground truth, late
 * events included, each point marked {@code "layer": "batch"}; {@code ./analytics replay} re-feeds the
 * day into a topic a new consumer reads whole; {@code ./analytics reconcile} shows the live layer's
 * shortfall in the late events' hour and explains it.
 */
class LakeBatchIntegrationTest {

    /** What the batch views hold; late events by window of arrival and amount distributions stay live. */
    private static final List<String> BATCH_METRICS = List.of("events", "orders", "revenue", "avg_order_value", "unique_users");

    private static final int LATE = 64;
    private static final String LATE_HOUR = "2026-02-16T10:00:00Z";

    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;
    static TestPostgres postgres;
    static TestS3 s3;
    static AnalyticsNode node;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        postgres = new TestPostgres();
        s3 = TestS3.start(tmp.resolve("s3"));
        node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), LakeFiles.nodeSettings(s3, "batch"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) node.close();
        if (kafka != null) kafka.close();
        if (postgres != null) postgres.close();
        if (s3 != null) s3.close();
    }

    @Test
    void batchViewsAreExactIncludingLateEventsAndReconcileExplainsTheLiveShortfall() throws Exception {
        ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
        GroundTruth truth = new GroundTruth();
        try (KafkaProducer<byte[], byte[]> direct = TestSupport.producer(kafka.bootstrapServers())) {
            new Feeder(api, truth, direct, "events.raw", 3).feed(EventScenario.generate(9, 2000, "batch"), 250);
        }
        // Each late user's partition first sees 12:30, which closes the 10:00 hour there (5 min lateness);
        // the same users' purchases at 10:10 then arrive too late for every live window but the day.
        post(api, truth, events("advance", "page_view", "2026-02-16T12:30:00Z"));
        post(api, truth, events("late", "purchase_completed", "2026-02-16T10:10:00Z"));
        MetricsAssertions.awaitAllCounted(api, truth);
        awaitArchived(api, truth.size());

        JsonNode liveHour = api.metrics(Map.of("metric", "events", "window", "1h", "start_time", LATE_HOUR,
                "end_time", "2026-02-16T11:00:00Z")).body();
        double expectedHour = truth.expected("events", "1h", null, null).values().iterator().next()
                .get(Instant.parse(LATE_HOUR).toEpochMilli());
        assertThat(point(liveHour).get("value").asDouble()).as("the live layer misses the late events").isEqualTo(expectedHour - LATE);
        assertThat(point(liveHour).get("layer").asText()).isEqualTo("live");

        String batch = launch("batch", "--from", "2026-02-16", "--to", "2026-02-16");
        assertThat(batch).contains("100%").contains("batch of 2026-02-16 to 2026-02-16: " + String.format("%,d", truth.size()) + " events");

        for (String metric : BATCH_METRICS) {
            for (String window : List.of("1h", "1d")) {
                for (String group : MetricsAssertions.GROUPS) {
                    Map<String, String> params = new HashMap<>(Map.of("metric", metric, "window", window,
                            "start_time", MetricsAssertions.FROM, "end_time", MetricsAssertions.TO));
                    if (group != null) params.put("group_by", group);
                    ApiClient.Response answer = api.metrics(params);
                    assertThat(answer.status()).as(params + " " + answer.body()).isEqualTo(200);
                    assertThat(layers(answer.body())).as(params.toString()).containsOnly("batch");
                    assertThat(answer.body().has("approximate")).as("batch unique users are exact").isFalse();
                    Map<String, java.util.TreeMap<Long, Double>> expected = truth.expected(metric, window, group, null);
                    Map<String, java.util.TreeMap<Long, Double>> actual = GroundTruth.actual(answer.body());
                    GroundTruth.assertMatches(metric, expected, actual, "batch " + params);
                    if (metric.equals("unique_users")) {
                        assertThat(actual).as("exact distinct users " + params).isEqualTo(expected);
                    }
                }
            }
        }
        JsonNode lateByArrival = api.metrics(Map.of("metric", "late_events", "window", "1h", "start_time", MetricsAssertions.FROM,
                "end_time", MetricsAssertions.TO)).body();
        assertThat(layers(lateByArrival)).as("late events by window of arrival exist only in the live layer").containsOnly("live");
        JsonNode minutes = api.metrics(Map.of("metric", "events", "window", "1m", "start_time", MetricsAssertions.FROM,
                "end_time", MetricsAssertions.TO)).body();
        assertThat(layers(minutes)).as("1m windows have no batch views").containsOnly("live");

        String replay = launch("replay", "--from", "2026-02-16", "--to", "2026-02-16");
        assertThat(replay).contains("into topic events.replay");
        assertThat(replayedEventIds(truth.size())).as("a new consumer of the replay topic sees each archived event once")
                .isEqualTo(truth.events().stream().collect(Collectors.toMap(e -> e.get("event_id").asText(), e -> 1L)));

        String report = launch("reconcile", "--date", "2026-02-16");
        String hourLine = report.lines().filter(line -> line.startsWith(LATE_HOUR)).findFirst().orElseThrow();
        assertThat(hourLine.trim().split("\\s+")).as(report).startsWith(LATE_HOUR,
                Long.toString((long) expectedHour - LATE), Long.toString((long) expectedHour), Integer.toString(LATE),
                Integer.toString(LATE));
        assertThat(hourLine).contains("arrived after the live window had closed");
        assertThat(report.lines().filter(line -> line.startsWith("2026-02-16T12:00:00Z")).findFirst().orElseThrow())
                .contains("equal");
    }

    /** Reads the replay topic from the start in a fresh consumer group until {@code expected} records came (or 60 s passed). */
    private static Map<String, Long> replayedEventIds(int expected) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "new-projection");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Long> ids = new HashMap<>();
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("events.replay"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ids.merge(EventCodec.decode(record.value()).eventId(), 1L, Long::sum);
                    records++;
                }
            }
        }
        return ids;
    }

    private static List<ObjectNode> events(String prefix, String type, String time) {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < LATE; i++) {
            ObjectNode event = ApiClient.JSON.createObjectNode()
                    .put("event_id", prefix + "-" + i).put("event_type", type).put("timestamp", time).put("user_id", "late_user_" + i);
            event.putObject("properties").put("country", "NZ").put("amount", 10 + i).put("currency", "USD").put("product_id", "prod_late");
            event.putObject("metadata").put("platform", "web");
            events.add(event);
        }
        return events;
    }

    private static void post(ApiClient api, GroundTruth truth, List<ObjectNode> events) throws Exception {
        ArrayNode body = ApiClient.JSON.createArrayNode().addAll(events);
        ApiClient.Response answer = api.post(body.toString());
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        assertThat(answer.body().get("accepted").asInt()).isEqualTo(events.size());
        events.forEach(truth::accept);
    }

    private static JsonNode point(JsonNode answer) {
        return answer.get("series").get(0).get("points").get(0);
    }

    private static List<String> layers(JsonNode answer) {
        List<String> layers = new ArrayList<>();
        answer.get("series").forEach(series -> series.get("points").forEach(p -> layers.add(p.get("layer").asText())));
        return layers;
    }

    private static void awaitArchived(ApiClient api, long events) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            JsonNode status = api.get("/api/v1/admin/lake").body();
            if (status.get("lag_records").asLong() == 0 && status.get("archived_records").asLong() >= events) {
                return;
            }
            assertThat(System.nanoTime()).as("archiver status " + status).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Runs the real launcher command against the node. */
    private static String launch(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", node.url(), "--api-key", TestNode.API_KEY));
        return TestSupport.runLauncher(all.toArray(String[]::new));
    }
}
