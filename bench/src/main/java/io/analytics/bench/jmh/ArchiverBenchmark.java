package io.analytics.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.bench.EventMix;
import io.analytics.core.event.EventCodec;
import io.analytics.core.event.EventValidator;
import io.analytics.lake.archive.ArchivedRecord;
import io.analytics.lake.archive.EventParquet;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.parquet.hadoop.ParquetWriter;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The archiver's work per record of the raw topic: the record's bytes read ({@link ArchivedRecord#read}) and
 * written through the archiver's Parquet writer (Snappy, the configured 16 MiB row groups) into a local file, as the archiver
 * does between a poll and an upload. The records are the load generator's default stream, each validated
 * and encoded as the ingest puts it on the topic, so the bytes are those Kafka holds.
 *
 * <p>Besides events per second on one thread, {@link Cpu} counts the thread's CPU time and the records of
 * each iteration: {@code cpuNanos / records} is the CPU per record, which a machine shared with other work
 * disturbs far less than elapsed time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ArchiverBenchmark {

    private static final int BATCH = 5_000;
    private static final int RECORDS = 100_000;
    private static final long ROW_GROUP_BYTES = 16L << 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private byte[][] records;
    /** Broker times a few milliseconds after the events', as when the ingest keeps up. */
    private long[] brokerTimes;
    private int next;
    private long offset;
    private Path file;
    private ParquetWriter<ArchivedRecord> writer;

    /** CPU time and records of one iteration, summed over it. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public long cpuNanos;
        public long records;
    }

    @Setup(Level.Trial)
    public void generate() throws IOException {
        ObjectMapper json = new ObjectMapper();
        EventMix mix = new EventMix(20_000, 200, 0, 0, 42, "archbench");
        List<byte[]> values = new ArrayList<>(RECORDS);
        long now = 1_771_236_000_000L;
        while (values.size() < RECORDS) {
            EventMix.Bytes batch = mix.nextBatch(1_000, now);
            for (JsonNode event : json.readTree(batch.array(), 0, batch.length())) {
                if (EventValidator.validate(event, "demo") instanceof EventValidator.Valid valid) {
                    values.add(EventCodec.encode(valid.normalized()));
                }
            }
            now += 40;
        }
        records = values.toArray(byte[][]::new);
        brokerTimes = values.stream().mapToLong(value -> EventCodec.decode(value).timestamp() + 3).toArray();
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        file = Files.createTempFile("archiver-bench", ".parquet");
        writer = EventParquet.writer(file, ROW_GROUP_BYTES);
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        writer.close();
        Files.delete(file);
    }

    /** A poll's worth of records decoded and written. Counted per record. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void archive(Cpu cpu) throws IOException {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < BATCH; i++) {
            writer.write(ArchivedRecord.read(records[next], 0, offset, brokerTimes[next]));
            next = next + 1 == records.length ? 0 : next + 1;
            offset++;
        }
        cpu.cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
        cpu.records += BATCH;
    }
}
