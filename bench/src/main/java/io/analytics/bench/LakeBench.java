package io.analytics.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
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
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    /** CPU time of the whole process, DuckDB's threads included: on a shared machine steadier than elapsed time. */
    private static final OperatingSystemMXBean CPU = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final LocalDate DAY = LocalDate.of(2026, 2, 16);
    private static final long DAY_START = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    private static final long HOUR_MILLIS = 3_600_000L;
    private static final long DAY_MILLIS = 24 * HOUR_MILLIS;
    private static final int SLICES = 24;
    private static final int BATCH = 500;
    private static final byte[] PROJECT_FIELD = "{\"project_id\":\"bench\",".getBytes(StandardCharsets.UTF_8);

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
        long cpu = CPU.getProcessCpuTime();
        long[] sizes = generate(events, dir.resolve("lake"));
        double generateSeconds = (System.nanoTime() - start) / 1e9;
        double generateCpuSeconds = (CPU.getProcessCpuTime() - cpu) / 1e9;
        long parquetBytes = parquetBytes(dir.resolve("lake"));

        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("views") + ";DB_CLOSE_ON_EXIT=FALSE");
        BatchViewStore views = new BatchViewStore(h2);
        views.createTablesIfNotExist();
        List<Dimension> dimensions = Stream.of("event_type", "country", "currency", "product_id", "platform", "payment_method")
                .map(Dimension::new).toList();
        try (BatchRecompute batch = new BatchRecompute(new LocalDirectoryStore(dir.resolve("lake")), views,
                new BatchRecompute.Settings(dir.resolve("staging"), memory, threads, dimensions), Clock.systemUTC())) {
            cpu = CPU.getProcessCpuTime();
            batch.start(DAY, DAY);
            LakeJob.Progress progress = batch.progress();
            while (progress.running()) {
                Thread.sleep(100);
                progress = batch.progress();
            }
            double batchCpuSeconds = (CPU.getProcessCpuTime() - cpu) / 1e9;
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
                    .put("generate_cpu_seconds", generateCpuSeconds)
                    .put("batch_seconds", (progress.finishedAt() - progress.startedAt()) / 1000.0)
                    .put("batch_events_per_second", progress.events() / ((progress.finishedAt() - progress.startedAt()) / 1000.0))
                    .put("batch_cpu_seconds", batchCpuSeconds)
                    .put("batch_events", progress.events())
                    .put("duckdb_threads", threads)
                    .put("duckdb_memory_limit", memory);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        }
    }

    /**
     * Writes the events as archive files, the day cut into {@link #SLICES} slices generated in parallel,
     * each by a mix of its own over the same users; returns {events, bytes of the same events as raw-topic JSON}.
     */
    private static long[] generate(long events, Path lake) throws Exception {
        int threads = Math.min(SLICES, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> slices = new ArrayList<>();
            for (int slice = 0; slice < SLICES; slice++) {
                long first = events * slice / SLICES;
                long count = events * (slice + 1) / SLICES - first;
                int index = slice;
                slices.add(pool.submit(() -> generateSlice(index, first, count, events, lake)));
            }
            long[] total = new long[2];
            for (Future<long[]> slice : slices) {
                total[0] += slice.get()[0];
                total[1] += slice.get()[1];
            }
            System.err.printf("generated %,d events (%s to %s) on %d threads%n", total[0], Instant.ofEpochMilli(DAY_START),
                    Instant.ofEpochMilli(DAY_START + DAY_MILLIS), threads);
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Events {@code first} to {@code first + count - 1} of the day: each becomes the raw-topic record the
     * ingest would write (the mix's JSON with {@code project_id}), is decoded like the archiver does and
     * written to the file of its event hour. Offsets are the events' numbers, so file keys never collide.
     */
    private static long[] generateSlice(int slice, long first, long count, long total, Path lake) throws Exception {
        EventMix mix = new EventMix(50_000, 2_000, 2_000, 0, 42, 42 + slice, "lakebench" + slice);
        double step = (double) DAY_MILLIS / total;
        Map<Integer, ParquetWriter<ArchivedRecord>> writers = new TreeMap<>();
        Map<Integer, Path> staged = new TreeMap<>();
        Path staging = Files.createDirectories(lake.resolveSibling("generate"));
        long written = 0;
        long jsonBytes = 0;
        try {
            while (written < count) {
                int n = (int) Math.min(BATCH, count - written);
                long now = DAY_START + (long) ((first + written) * step);
                EventMix.Bytes batch = mix.nextBatch(n, now);
                try (JsonParser events = JSON.getFactory().createParser(batch.array(), 0, batch.length())) {
                    events.nextToken();
                    while (events.nextToken() == JsonToken.START_OBJECT) {
                        int start = (int) events.currentTokenLocation().getByteOffset();
                        events.skipChildren();
                        byte[] raw = rawRecord(batch.array(), start, (int) events.currentLocation().getByteOffset());
                        jsonBytes += raw.length;
                        AnalyticsEvent decoded = EventCodec.decode(raw);
                        long time = Math.max(DAY_START, Math.min(DAY_START + DAY_MILLIS - 1, decoded.timestamp()));
                        int hour = (int) ((time - DAY_START) / HOUR_MILLIS);
                        ParquetWriter<ArchivedRecord> writer = writers.get(hour);
                        if (writer == null) {
                            Path file = staging.resolve("slice-" + slice + "-hour-" + hour + ".parquet");
                            writer = EventParquet.writer(file, 64L << 20);
                            writers.put(hour, writer);
                            staged.put(hour, file);
                        }
                        AnalyticsEvent inDay = new AnalyticsEvent(decoded.projectId(), decoded.eventId(), decoded.eventType(), time,
                                decoded.userId(), decoded.sessionId(), decoded.properties(), decoded.metadata());
                        writer.write(ArchivedRecord.of(inDay, 0, first + written, now));
                        written++;
                    }
                }
            }
        } finally {
            for (ParquetWriter<ArchivedRecord> writer : writers.values()) {
                writer.close();
            }
        }
        LocalDirectoryStore store = new LocalDirectoryStore(lake);
        for (Map.Entry<Integer, Path> hour : staged.entrySet()) {
            store.put(LakeLayout.fileKey(DAY_START + hour.getKey() * HOUR_MILLIS, "events.raw", 0, first, first + count - 1),
                    hour.getValue());
            Files.delete(hour.getValue());
        }
        return new long[] {written, jsonBytes};
    }

    /** The raw-topic form of one event of the mix's JSON array: the event with {@code project_id} first. */
    private static byte[] rawRecord(byte[] batch, int start, int end) {
        byte[] raw = new byte[PROJECT_FIELD.length + end - start - 1];
        System.arraycopy(PROJECT_FIELD, 0, raw, 0, PROJECT_FIELD.length);
        System.arraycopy(batch, start + 1, raw, PROJECT_FIELD.length, end - start - 1);
        return raw;
    }

    private static long parquetBytes(Path lake) throws Exception {
        try (Stream<Path> files = Files.walk(lake)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
