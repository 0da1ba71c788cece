package io.analytics.bench.jmh;

import io.analytics.bench.TempDirectories;
import io.analytics.ingest.AcceptedEventIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one id on the ingest path: {@link AcceptedEventIds#claim} of a batch of 100 new ids
 * against an index holding {@code hours} full hourly buckets of {@code idsPerHour} ids each (built
 * through {@code remember}, as a rebuild does, and sealed into their files in a temporary directory
 * before it starts), so every claim looks through every bucket. New ids are the common case and the
 * worst one: a duplicate stops at the first bucket that holds it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class DedupeClaimBenchmark {

    private static final int BATCH = 100;
    private static final Instant NOW = Instant.parse("2026-02-16T10:30:00Z");

    @Param("24")
    int hours;

    @Param("1000000")
    int idsPerHour;

    private Path directory;
    private AcceptedEventIds index;
    private long next;

    @Setup
    public void fill() throws IOException {
        directory = Files.createTempDirectory("dedupe-bench");
        // Seals on this thread, so that none is still running when the measurement starts.
        index = new AcceptedEventIds(Duration.ofHours(hours + 1), Long.MAX_VALUE, Clock.fixed(NOW, ZoneOffset.UTC),
                directory, Runnable::run);
        for (int hour = hours; hour >= 1; hour--) {
            long at = NOW.minus(Duration.ofHours(hour)).toEpochMilli();
            for (int i = 0; i < idsPerHour; i++) {
                index.remember("p", "h" + hour + "_" + i, at);
            }
        }
        index.claim("p", List.of("warm"));
    }

    @TearDown
    public void deleteFiles() throws IOException {
        TempDirectories.delete(directory);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public boolean[] claimNewIds() {
        List<String> ids = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            ids.add("new_" + next++);
        }
        return index.claim("p", ids);
    }
}
