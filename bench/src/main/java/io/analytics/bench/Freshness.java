package io.analytics.bench;

import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Measures how long an accepted event takes to become visible in the metrics API.
 *
 * <p>A probe thread sends one {@code loadgen_probe} event per interval, sequentially, and notes when
 * each 202 came back. A poller thread queries the count of {@code loadgen_probe} events every poll
 * interval; when the visible count (minus what was there before the run) reaches k, probes 1..k are
 * visible and freshness_k = (time the count was first seen ≥ k) − (time probe k was acknowledged).
 * "Seen" is the moment the poll's answer arrived, so samples are an upper bound within one poll
 * period plus one query's latency.
 */
final class Freshness {

    private final ApiClient api;
    private final String runId;
    private final Instant rangeStart;
    private final Instant rangeEnd;
    private final long baseline;
    private final long probeIntervalNanos;
    private final long pollIntervalNanos;

    private final Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
    private long[] ackNanos = new long[256];
    private int acked;
    private int seen;
    private long probesSent;
    private long probesFailed;
    private long pollErrors;
    private String lastPollError;

    private volatile boolean probing = true;
    private volatile boolean polling = true;
    private Thread prober;
    private Thread poller;

    Freshness(ApiClient api, String runId, Instant rangeStart, Instant rangeEnd, long baseline,
              long probeIntervalMillis, long pollIntervalMillis) {
        this.api = api;
        this.runId = runId;
        this.rangeStart = rangeStart;
        this.rangeEnd = rangeEnd;
        this.baseline = baseline;
        this.probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(probeIntervalMillis);
        this.pollIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pollIntervalMillis);
    }

    void start() {
        prober = daemon("loadgen-probe", this::probeLoop);
        poller = daemon("loadgen-freshness-poll", this::pollLoop);
    }

    private void probeLoop() {
        long next = System.nanoTime();
        long seq = 0;
        while (probing) {
            seq++;
            ApiClient.IngestResponse r = api.postEventsSync(EventMix.probe(runId, seq, System.currentTimeMillis()));
            long now = System.nanoTime();
            synchronized (this) {
                probesSent++;
                if (r.ok() && r.accepted() == 1) {
                    if (acked == ackNanos.length) {
                        ackNanos = Arrays.copyOf(ackNanos, acked * 2);
                    }
                    ackNanos[acked++] = now;
                    // Visible before its 202 was read (the poll raced the response): freshness 0.
                    if (seen >= acked) {
                        micros.recordValue(0);
                    }
                } else {
                    probesFailed++;
                }
            }
            next += probeIntervalNanos;
            if (!sleepUntil(next, () -> probing)) {
                next = System.nanoTime();
            }
        }
    }

    private void pollLoop() {
        long next = System.nanoTime();
        while (polling) {
            try {
                long visible = api.metricSum("events", EventMix.PROBE_TYPE, rangeStart, rangeEnd) - baseline;
                long now = System.nanoTime();
                synchronized (this) {
                    while (seen < visible) {
                        seen++;
                        if (seen <= acked) {
                            micros.recordValue(Math.max(0, (now - ackNanos[seen - 1]) / 1000));
                        }
                    }
                    notifyAll();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                synchronized (this) {
                    pollErrors++;
                    lastPollError = e instanceof ApiClient.HttpStatusException ? e.getMessage() : ApiClient.describe(e);
                }
            }
            next += pollIntervalNanos;
            if (!sleepUntil(next, () -> polling)) {
                next = System.nanoTime();
            }
        }
    }

    /** Stops sending probes and waits for the in-flight one to be answered. */
    void stopProbes(long timeoutMillis) throws InterruptedException {
        probing = false;
        prober.interrupt();
        prober.join(timeoutMillis);
    }

    /** Waits until every acknowledged probe has been seen or the deadline passes, then stops polling. */
    boolean awaitAllVisible(long deadlineNanos) throws InterruptedException {
        boolean all;
        synchronized (this) {
            while (!(all = seen >= acked)) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        polling = false;
        poller.interrupt();
        poller.join(5000);
        return all;
    }

    synchronized long probesAccepted() {
        return acked;
    }

    synchronized long probesSent() {
        return probesSent;
    }

    synchronized long probesFailed() {
        return probesFailed;
    }

    synchronized long probesSeen() {
        return seen;
    }

    synchronized long pollErrors() {
        return pollErrors;
    }

    synchronized String lastPollError() {
        return lastPollError;
    }

    synchronized Histogram histogramMicros() {
        return micros.copy();
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Parks until {@code deadline}; false when it was already past (the caller is behind). */
    static boolean sleepUntil(long deadline, java.util.function.BooleanSupplier stillRunning) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        while (left > 0 && stillRunning.getAsBoolean()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                if (!stillRunning.getAsBoolean()) {
                    return true;
                }
            }
            left = deadline - System.nanoTime();
        }
        return true;
    }
}

