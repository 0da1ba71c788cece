package io.analytics.bench;

import io.analytics.ingest.AcceptedEventIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * How long the hourly seal of the dedupe index stalls ingest. Fills the current hour with {@code ids}
 * ids (default 14.4 million: an hour at 4,000 events/s), then two probers claim batches of 100 new
 * ids, one a millisecond each, while the clock moves into the next hour: the first claim after it
 * starts the seal of the full hour. The clock stands still while the hour fills, so no seal of the
 * minute comes first: the whole hour is sealed at once, the worst case. Prints the latency of every
 * claim from then until the hour is compact (its heap has dropped, its ids in a file in a temporary
 * directory) and a second after: the longest is the time the claim lock was held.
 *
 * <pre>java -Xmx3g -cp "bench/target/classes:bench/target/lib/*" io.analytics.bench.DedupeSealPause [ids]</pre>
 */
public final class DedupeSealPause {

    private static final Instant HOUR = Instant.parse("2026-02-16T10:00:00Z");
    private static final int BATCH = 100;

    private DedupeSealPause() {}

    public static void main(String[] args) throws Exception {
        int ids = args.length > 0 ? Integer.parseInt(args[0]) : 14_400_000;
        AtomicLong now = new AtomicLong(HOUR.toEpochMilli());
        Path directory = Files.createTempDirectory("dedupe-pause");
        AcceptedEventIds index = new AcceptedEventIds(Duration.ofHours(24), Long.MAX_VALUE, clock(now), directory);
        for (int i = 0; i < ids; i += 10_000) {
            index.claim("p", batch("old", i, Math.min(10_000, ids - i)));
        }
        long openBytes = index.bytes();
        System.out.printf("hour filled: %,d ids, %,d bytes%n", index.size(), openBytes);

        AtomicBoolean probing = new AtomicBoolean(true);
        Histogram latencies = new Histogram(3);
        List<Thread> probers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            String prefix = "probe" + p + "_";
            Thread prober = new Thread(() -> probe(index, prefix, probing, latencies));
            probers.add(prober);
            prober.start();
        }
        Thread.sleep(500);
        synchronized (latencies) {
            latencies.reset();
        }
        long changed = System.nanoTime();
        now.set(HOUR.plus(Duration.ofHours(1)).toEpochMilli());
        while (index.bytes() > openBytes / 2 && System.nanoTime() - changed < 60_000_000_000L) {
            Thread.sleep(5);
        }
        long compactAfter = System.nanoTime() - changed;
        Thread.sleep(1_000);
        probing.set(false);
        for (Thread prober : probers) {
            prober.join();
        }
        System.out.printf("hour compact after %,d ms: %,d bytes of heap, %,d of files%n", compactAfter / 1_000_000,
                index.bytes(), index.fileBytes());
        System.out.printf("claims of %d ids meanwhile: %,d; latency ms: p50 %.3f, p99 %.3f, p99.9 %.3f, max %.3f%n",
                BATCH, latencies.getTotalCount(), ms(latencies.getValueAtPercentile(50)),
                ms(latencies.getValueAtPercentile(99)), ms(latencies.getValueAtPercentile(99.9)), ms(latencies.getMaxValue()));
        TempDirectories.delete(directory);
    }

    private static void probe(AcceptedEventIds index, String prefix, AtomicBoolean probing, Histogram latencies) {
        for (int b = 0; probing.get(); b++) {
            List<String> ids = batch(prefix, b * BATCH, BATCH);
            long start = System.nanoTime();
            index.claim("p", ids);
            long took = System.nanoTime() - start;
            synchronized (latencies) {
                latencies.recordValue(took);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static List<String> batch(String prefix, int from, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static Clock clock(AtomicLong millis) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
            }
        };
    }
}
