package io.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.event.EventCodec;
import io.analytics.core.metric.Dimension;
import io.analytics.lake.archive.ArchivedRecord;
import io.analytics.lake.archive.EventParquet;
import io.analytics.lake.archive.LakeLayout;
import io.analytics.lake.batch.BatchRecompute;
import io.analytics.lake.batch.BatchViewStore;
import io.analytics.lake.batch.LakeJob;
import io.analytics.lake.store.LocalDirectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.ParquetWriter;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The lake benchmark: writes {@code --events} realistic events (the load generator's mix, spread over
 * one UTC day) as archive Parquet files the way the archiver does, measuring their size against the
 * same events as raw-topic JSON, then times {@link BatchRecompute} over them (DuckDB, batch views in
 * an H2 file). Prints one JSON object.
 */
public final class LakeBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY = LocalDate.of(2026, 2, 16);
    private static final int BATCH = 5000;

    private LakeBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        long events = Long.parseLong(options.getOrDefault("events", "10000000"));
        Path dir = Path.of(options.getOrDefault("dir", "target/lake-bench")).toAbsolutePath();
        int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
        String memory = options.getOrDefault("memory-limit", "4GB");

        long start = System.nanoTime();
        long[] sizes = generate(events, dir.resolve("lake"));
        double generateSeconds = (System.nanoTime() - start) / 1e9;
        long parquetBytes = parquetBytes(dir.resolve("lake"));

        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("views") + ";DB_CLOSE_ON_EXIT=FALSE");
        BatchViewStore views = new BatchViewStore(h2);
        views.createTablesIfNotExist();
        List<Dimension> dimensions = Stream.of("event_type", "country", "currency", "product_id", "platform", "payment_method")
                .map(Dimension::new).toList();
        try (BatchRecompute batch = new BatchRecompute(new LocalDirectoryStore(dir.resolve("lake")), views,
                new BatchRecompute.Settings(dir.resolve("staging"), memory, threads, dimensions), Clock.systemUTC())) {
            batch.start(DAY, DAY);
            LakeJob.Progress progress = batch.progress();
            while (progress.running()) {
                Thread.sleep(100);
                progress = batch.progress();
            }
            if (!progress.state().equals("done")) {
                throw new IllegalStateException("batch failed: " + progress.error());
            }
            ObjectNode result = JSON.createObjectNode()
                    .put("events", sizes[0])
                    .put("files", progress.totalFiles())
                    .put("raw_json_bytes", sizes[1])
                    .put("parquet_bytes", parquetBytes)
                    .put("parquet_to_json", (double) parquetBytes / sizes[1])
                    .put("generate_seconds", generateSeconds)
                    .put("batch_seconds", (progress.finishedAt() - progress.startedAt()) / 1000.0)
                    .put("batch_events_per_second", progress.events() / ((progress.finishedAt() - progress.startedAt()) / 1000.0))
                    .put("batch_events", progress.events())
                    .put("duckdb_threads", threads)
                    .put("duckdb_memory_limit", memory);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        }
    }

    /** Writes the events as one file per event hour; returns {events, bytes of the same events as raw-topic JSON}. */
    private static long[] generate(long events, Path lake) throws Exception {
        EventMix mix = new EventMix(50_000, 2_000, 2_000, 0, 42, "lakebench");
        long dayStart = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        double step = 86_400_000.0 / events;
        Map<Integer, ParquetWriter<ArchivedRecord>> writers = new TreeMap<>();
        Map<Integer, Path> staged = new TreeMap<>();
        Path staging = Files.createDirectories(lake.resolveSibling("generate"));
        long written = 0;
        long jsonBytes = 0;
        try {
            while (written < events) {
                int n = (int) Math.min(BATCH, events - written);
                long now = dayStart + (long) (written * step);
                for (JsonNode node : JSON.readTree(mix.nextBatch(n, now).toByteArray())) {
                    ObjectNode event = (ObjectNode) node;
                    event.put("project_id", "bench");
                    byte[] raw = JSON.writeValueAsBytes(event);
                    jsonBytes += raw.length;
                    AnalyticsEvent decoded = EventCodec.decode(raw);
                    long time = Math.max(dayStart, Math.min(dayStart + 86_399_999L, decoded.timestamp()));
                    int hour = (int) ((time - dayStart) / 3_600_000L);
                    ParquetWriter<ArchivedRecord> writer = writers.get(hour);
                    if (writer == null) {
                        Path file = staging.resolve("hour-" + hour + ".parquet");
                        writer = EventParquet.writer(file, 64L << 20);
                        writers.put(hour, writer);
                        staged.put(hour, file);
                    }
                    AnalyticsEvent inDay = new AnalyticsEvent(decoded.projectId(), decoded.eventId(), decoded.eventType(), time,
                            decoded.userId(), decoded.sessionId(), decoded.properties(), decoded.metadata());
                    writer.write(new ArchivedRecord(inDay, 0, written, now));
                    written++;
                }
            }
        } finally {
            for (ParquetWriter<ArchivedRecord> writer : writers.values()) {
                writer.close();
            }
        }
        LocalDirectoryStore store = new LocalDirectoryStore(lake);
        for (Map.Entry<Integer, Path> hour : staged.entrySet()) {
            long time = dayStart + hour.getKey() * 3_600_000L;
            store.put(LakeLayout.fileKey(time, "events.raw", 0, hour.getKey() * 1_000_000_000L, hour.getKey() * 1_000_000_000L + 999_999_999L),
                    hour.getValue());
            Files.delete(hour.getValue());
        }
        System.err.printf("generated %,d events (%s to %s) in %d files%n", written, Instant.ofEpochMilli(dayStart),
                Instant.ofEpochMilli(dayStart + 86_400_000L), staged.size());
        return new long[] {written, jsonBytes};
    }

    private static long parquetBytes(Path lake) throws Exception {
        try (Stream<Path> files = Files.walk(lake)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
