package io.analytics.bench;

import static io.analytics.bench.BenchUtil.num;
import static io.analytics.bench.BenchUtil.putMs;
import static io.analytics.bench.BenchUtil.round;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load generator and end-to-end benchmark driver for the analytics platform.
 *
 * <p>Sends batches of realistic e-commerce events to {@code POST /api/v1/events} on a fixed schedule
 * (batch k is due at {@code k·batch/rate} seconds), with at most {@code --concurrency} requests in
 * flight. A server slower than the target shows up as schedule lag and a shortfall of events sent —
 * the rate is never silently lowered. Alongside it measures freshness with probe events (see
 * {@link Freshness}) and, once sending stops, how long it takes for every accepted event to be
 * counted by the metrics API. Run with {@code --help} for the flags.
 */
public final class LoadGenerator {

    private static final ObjectMapper MAPPER = BenchUtil.MAPPER;
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(30);
    /** Batches may still start this long after the nominal end of the run before the rest counts as shortfall. */
    private static final int MAX_ERROR_KINDS = 5;
    private static final long STOP_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private LoadGenerator() {}

    public static void main(String[] args) {
        BenchUtil.main(LoadGenerator::run, args, "loadgen: interrupted");
    }

    /** Runs the generator; returns the process exit code (0 ok, 1 server unreachable / I/O, 2 bad flags). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws InterruptedException {
        BenchUtil.Parsed<Options> parsed = BenchUtil.parseFlags(Options::parse, Options.usage(), "loadgen", args, env, out, err);
        if (parsed.flags() == null) {
            return parsed.exit();
        }
        Options o = parsed.flags();
        if (!o.batchGiven) {
            o.batch = (int) Math.max(1, Math.min(o.batch, Math.round(o.rate / 10)));
        }
        try (ApiClient api = new ApiClient(o.url, o.apiKey, Duration.ofMillis(o.requestTimeoutMillis), 2)) {
            return new Run(o, api, out, err).execute();
        }
    }

    /** One benchmark run: state shared between the sender, the response callbacks and the reporter. */
    private static final class Run {
        final Options o;
        final ApiClient api;
        final PrintStream out;
        final PrintStream err;
        final String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        final List<String> notes = new ArrayList<>();

        final LongAdder requests = new LongAdder();
        final LongAdder eventsSent = new LongAdder();
        final LongAdder accepted = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder failedEvents = new LongAdder();
        final LongAdder errors = new LongAdder();
        final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        final Histogram ingest = new Histogram(HIGHEST_MICROS, 3);
        final Histogram ingestFromSchedule = new Histogram(HIGHEST_MICROS, 3);
        final List<String> rejectedSamples = new ArrayList<>();
        /** Distinct failure descriptions (at most {@link #MAX_ERROR_KINDS}) with how often each occurred. */
        final Map<String, Long> errorSamples = new java.util.LinkedHashMap<>();
        final AtomicLong lastAckNanos = new AtomicLong();
        volatile long scheduledByNow;
        volatile long t0;

        Run(Options o, ApiClient api, PrintStream out, PrintStream err) {
            this.o = o;
            this.api = api;
            this.out = out;
            this.err = err;
        }

        int execute() throws InterruptedException {
            long startMillis = System.currentTimeMillis();
            Instant rangeStart = Instant.ofEpochMilli(floorDay(startMillis - o.disorderMillis - 60_000));
            Instant rangeEnd = Instant.ofEpochMilli(ceilDay(startMillis + o.durationMillis + o.drainTimeoutMillis
                    + 2 * o.requestTimeoutMillis + 600_000));

            // ---- baseline, which doubles as the reachability check
            long baseline = -1;
            long probeBaseline = -1;
            boolean metrics = true;
            try {
                baseline = api.metricSum("events", null, rangeStart, rangeEnd);
                probeBaseline = api.metricSum("events", EventMix.PROBE_TYPE, rangeStart, rangeEnd);
            } catch (ApiClient.HttpStatusException e) {
                if (e.status == 401 || e.status == 403) {
                    err.println("loadgen: the server at " + o.url + " refused the API key (" + e.getMessage() + ")");
                    return 1;
                }
                metrics = false;
                String note = "metrics query failed at start (" + e.getMessage()
                        + "); freshness and end-to-end visibility are not measured";
                notes.add(note);
                err.println("loadgen: warning: " + note);
            } catch (IOException e) {
                String why = e instanceof java.net.ConnectException
                        ? "connection refused or failed" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")")
                        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                err.println("loadgen: cannot reach the server at " + o.url + ": " + why + " - is it running?");
                return 1;
            }

            EventMix mix = new EventMix(o.users, o.products, o.disorderMillis, o.duplicates, o.seed, runId);
            long totalEvents = Math.max(1, Math.round(o.rate * o.durationMillis / 1000.0));
            double nanosPerEvent = 1e9 / o.rate;
            if (!o.quiet) {
                out.printf(Locale.ROOT, "loadgen: %s ev/s for %.1f s to %s (batch %d, concurrency %d, run %s)%s%n",
                        fmt(o.rate), o.durationMillis / 1000.0, o.url, o.batch, o.concurrency, runId,
                        metrics ? ", baseline " + baseline + " events" : "");
            }

            Freshness freshness = metrics
                    ? new Freshness(api, runId, rangeStart, rangeEnd, probeBaseline, o.probeIntervalMillis, o.pollIntervalMillis)
                    : null;
            Semaphore permits = new Semaphore(o.concurrency);
            ScheduledExecutorService reporter = BenchUtil.daemonScheduler("loadgen-progress");

            // ---- open-loop sending
            t0 = System.nanoTime();
            long hardStop = t0 + TimeUnit.MILLISECONDS.toNanos(o.durationMillis) + STOP_GRACE_NANOS;
            if (freshness != null) {
                freshness.start();
            }
            if (!o.quiet) {
                long[] prev = new long[2];
                reporter.scheduleAtFixedRate(() -> progress(permits, prev, nanosPerEvent, totalEvents), 1, 1, TimeUnit.SECONDS);
            }
            long sent = 0;
            long maxLagNanos = 0;
            long firstSend = 0;
            while (sent < totalEvents) {
                int n = (int) Math.min(o.batch, totalEvents - sent);
                long due = t0 + (long) (sent * nanosPerEvent);
                EventMix.Bytes body = mix.nextBatch(n, System.currentTimeMillis());
                Freshness.sleepUntil(due, () -> true);
                long left = hardStop - System.nanoTime();
                if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                long sendStart = System.nanoTime();
                if (sendStart - hardStop > 0) {
                    permits.release();
                    break;
                }
                if (firstSend == 0) {
                    firstSend = sendStart;
                }
                maxLagNanos = Math.max(maxLagNanos, sendStart - due);
                requests.increment();
                eventsSent.add(n);
                api.postEvents(body.array(), body.length()).thenAccept(r -> {
                    try {
                        record(r, n, sendStart, due);
                    } finally {
                        permits.release();
                    }
                });
                sent += n;
            }
            long sendLoopEnd = System.nanoTime();
            if (!permits.tryAcquire(o.concurrency, o.requestTimeoutMillis + 5000, TimeUnit.MILLISECONDS)) {
                notes.add("some ingest requests were still unanswered " + (o.requestTimeoutMillis + 5000) + " ms after sending stopped");
            }
            long sendEnd = System.nanoTime();
            if (freshness != null) {
                freshness.stopProbes(o.requestTimeoutMillis + 5000);
            }
            reporter.shutdownNow();
            long shortfall = totalEvents - sent;
            if (shortfall > 0) {
                notes.add(String.format(Locale.ROOT,
                        "server too slow for the target: %d of %d scheduled events were never sent (%.1f%%)",
                        shortfall, totalEvents, 100.0 * shortfall / totalEvents));
            }

            // ---- drain: wait until everything accepted is counted
            long acceptedEvents = accepted.sum();
            long probesAccepted = freshness == null ? 0 : freshness.probesAccepted();
            long expected = acceptedEvents + probesAccepted;
            Boolean drained = null;
            Double drainS = null;
            Double e2e = null;
            long visible = -1;
            long drainDeadline = sendEnd + TimeUnit.MILLISECONDS.toNanos(o.drainTimeoutMillis);
            if (metrics) {
                drained = false;
                long drainPoll = TimeUnit.MILLISECONDS.toNanos(Math.max(20, Math.min(100, o.pollIntervalMillis * 2)));
                String lastError = null;
                int pollErrors = 0;
                long next = System.nanoTime();
                while (true) {
                    try {
                        visible = api.metricSum("events", null, rangeStart, rangeEnd) - baseline;
                        if (visible >= expected) {
                            long seenAt = System.nanoTime();
                            drained = true;
                            drainS = (seenAt - sendEnd) / 1e9;
                            long from = firstSend == 0 ? t0 : firstSend;
                            e2e = acceptedEvents / Math.max(1e-9, (seenAt - from) / 1e9);
                            break;
                        }
                    } catch (IOException e) {
                        pollErrors++;
                        lastError = e instanceof ApiClient.HttpStatusException ? e.getMessage() : ApiClient.describe(e);
                    }
                    if (System.nanoTime() - drainDeadline >= 0) {
                        drainS = (System.nanoTime() - sendEnd) / 1e9;
                        break;
                    }
                    next += drainPoll;
                    if (!Freshness.sleepUntil(Math.min(next, drainDeadline), () -> true)) {
                        next = System.nanoTime();
                    }
                }
                if (pollErrors > 0) {
                    notes.add(pollErrors + " metrics queries failed while draining (last: " + lastError + ")");
                }
                if (!drained) {
                    notes.add("not drained: " + Math.max(0, visible) + " of " + expected
                            + " accepted events visible after " + o.drainTimeoutMillis + " ms");
                } else if (visible > expected) {
                    notes.add("metrics show " + (visible - expected) + " more events than were accepted"
                            + " (another writer, or double counting)");
                }
                freshness.awaitAllVisible(Math.max(drainDeadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)));
                if (freshness.pollErrors() > 0) {
                    notes.add(freshness.pollErrors() + " freshness polls failed (last: " + freshness.lastPollError() + ")");
                }
            }

            long activeNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(o.durationMillis),
                    Math.max(lastAckNanos.get(), sendLoopEnd) - (firstSend == 0 ? t0 : firstSend));
            ObjectNode result = result(mix, sent, shortfall, maxLagNanos, activeNanos, baseline, expected, visible,
                    drained, drainS, e2e, freshness, startMillis);
            out.print(summary(result));
            out.flush();
            if (o.out != null && !BenchUtil.writeResult(o.out, result, "loadgen", err)) {
                return 1;
            }
            return 0;
        }

        private void record(ApiClient.IngestResponse r, int events, long sendStart, long due) {
            long now = System.nanoTime();
            lastAckNanos.accumulateAndGet(now, Math::max);
            statuses.computeIfAbsent(r.statusKey(), k -> new LongAdder()).increment();
            if (r.ok()) {
                accepted.add(r.accepted());
                duplicates.add(r.duplicates());
                rejected.add(r.rejected());
                if (!r.rejectedSamples().isEmpty()) {
                    synchronized (rejectedSamples) {
                        for (String s : r.rejectedSamples()) {
                            if (rejectedSamples.size() < ApiClient.MAX_REJECTED_SAMPLES) {
                                rejectedSamples.add(s);
                            }
                        }
                    }
                }
                synchronized (ingest) {
                    ingest.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - sendStart) / 1000)));
                    ingestFromSchedule.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - due) / 1000)));
                }
            } else {
                errors.increment();
                failedEvents.add(events);
                String what = r.statusKey() + ": " + r.error();
                BenchUtil.sample(errorSamples, what, MAX_ERROR_KINDS);
            }
        }

        private void progress(Semaphore permits, long[] prev, double nanosPerEvent, long totalEvents) {
            try {
                long now = System.nanoTime();
                long elapsed = now - t0;
                long sentNow = eventsSent.sum();
                long acceptedNow = accepted.sum();
                long due = Math.min(totalEvents, (long) (elapsed / nanosPerEvent) + 1);
                double p99;
                synchronized (ingest) {
                    p99 = ingest.getTotalCount() == 0 ? Double.NaN : ingest.getValueAtPercentile(99) / 1000.0;
                }
                out.printf(Locale.ROOT,
                        "[%4ds] sent %s ev/s | accepted %s ev/s | in-flight %d/%d | ingest p99 %s ms | errors %d | behind %d ev%n",
                        Math.round(elapsed / 1e9), fmt(sentNow - prev[0]), fmt(acceptedNow - prev[1]),
                        o.concurrency - permits.availablePermits(), o.concurrency,
                        Double.isNaN(p99) ? "-" : String.format(Locale.ROOT, "%.1f", p99),
                        errors.sum(), Math.max(0, due - sentNow));
                prev[0] = sentNow;
                prev[1] = acceptedNow;
            } catch (RuntimeException e) {
                // never let the reporter die silently mid-run
                err.println("loadgen: progress: " + e);
            }
        }

        private ObjectNode result(EventMix mix, long sent, long shortfall, long maxLagNanos, long activeNanos,
                                  long baseline, long expected, long visible, Boolean drained, Double drainS,
                                  Double e2e, Freshness freshness, long startMillis) {
            ObjectNode r = MAPPER.createObjectNode();
            r.put("target_rate", o.rate);
            r.put("duration_s", o.durationMillis / 1000.0);
            r.put("batch", o.batch);
            r.put("concurrency", o.concurrency);
            r.put("url", o.url.toString());
            r.put("run_id", runId);
            r.put("seed", o.seed);
            r.put("started_at", Instant.ofEpochMilli(startMillis).toString());
            r.put("requests", requests.sum());
            r.put("events_sent", eventsSent.sum());
            r.put("duplicates_sent", mix.duplicatesEmitted());
            r.put("sent_per_s", round(sent / (o.durationMillis / 1000.0), 1));
            r.put("shortfall_events", shortfall);
            r.put("max_schedule_lag_ms", round(maxLagNanos / 1e6, 2));
            r.put("accepted", accepted.sum());
            r.put("duplicates", duplicates.sum());
            r.put("rejected", rejected.sum());
            r.put("failed_request_events", failedEvents.sum());
            BenchUtil.putStatuses(r, statuses);
            r.put("accepted_per_s", round(accepted.sum() / (activeNanos / 1e9), 1));
            synchronized (ingest) {
                r.set("ingest_ms", percentiles(ingest, true));
                r.set("ingest_from_schedule_ms", percentiles(ingestFromSchedule, true));
            }
            ObjectNode fresh = r.putObject("freshness_ms");
            if (freshness != null) {
                Histogram h = freshness.histogramMicros();
                putMs(fresh, "p50", h, 50);
                putMs(fresh, "p99", h, 99);
                putMs(fresh, "max", h, 100);
                fresh.put("samples", h.getTotalCount());
                ObjectNode probes = r.putObject("probes");
                probes.put("sent", freshness.probesSent());
                probes.put("accepted", freshness.probesAccepted());
                probes.put("failed", freshness.probesFailed());
                probes.put("seen", freshness.probesSeen());
            } else {
                fresh.putNull("p50");
                fresh.putNull("p99");
                fresh.putNull("max");
                fresh.put("samples", 0);
            }
            r.put("metrics_available", freshness != null);
            if (baseline >= 0) {
                r.put("baseline_events", baseline);
                r.put("expected_events", expected);
                if (visible >= 0) {
                    r.put("visible_events", visible);
                } else {
                    r.putNull("visible_events");
                }
            }
            if (drained == null) {
                r.put("drained", false);
                r.putNull("drain_s");
            } else {
                r.put("drained", drained);
                r.put("drain_s", round(drainS, 3));
            }
            if (e2e == null) {
                r.putNull("e2e_events_per_s");
            } else {
                r.put("e2e_events_per_s", round(e2e, 1));
            }
            ObjectNode types = r.putObject("event_mix");
            long[] counts = mix.typeCounts();
            for (int i = 0; i < counts.length; i++) {
                types.put(EventMix.TYPES[i], counts[i]);
            }
            ArrayNode rs = r.putArray("rejected_samples");
            synchronized (rejectedSamples) {
                rejectedSamples.forEach(rs::add);
            }
            BenchUtil.putErrorsAndNotes(r, errorSamples, notes);
            return r;
        }

        private String summary(ObjectNode r) {
            StringBuilder b = new StringBuilder();
            b.append("== loadgen summary (run ").append(runId).append(") ==\n");
            b.append(String.format(Locale.ROOT, "target       %s ev/s for %.1f s (batch %d, concurrency %d)%n",
                    fmt(o.rate), o.durationMillis / 1000.0, o.batch, o.concurrency));
            b.append(String.format(Locale.ROOT, "sent         %d events in %d requests (%s ev/s; shortfall %d events; max schedule lag %.1f ms)%n",
                    r.get("events_sent").asLong(), r.get("requests").asLong(), fmt(r.get("sent_per_s").asDouble()),
                    r.get("shortfall_events").asLong(), r.get("max_schedule_lag_ms").asDouble()));
            b.append(String.format(Locale.ROOT, "accepted     %d (%s ev/s)   duplicates %d   rejected %d   in failed requests %d%n",
                    r.get("accepted").asLong(), fmt(r.get("accepted_per_s").asDouble()), r.get("duplicates").asLong(),
                    r.get("rejected").asLong(), r.get("failed_request_events").asLong()));
            BenchUtil.appendHttp(b, r);
            b.append("ingest ms    ").append(ms(r.get("ingest_ms"), "p50", "p90", "p99", "max"))
                    .append("   (from schedule: p99 ").append(num(r.get("ingest_from_schedule_ms").get("p99"))).append(")\n");
            b.append("freshness ms ").append(ms(r.get("freshness_ms"), "p50", "p99", "max"))
                    .append("   (").append(r.get("freshness_ms").get("samples").asLong()).append(" samples)\n");
            if (r.get("metrics_available").asBoolean()) {
                b.append(String.format(Locale.ROOT, "end-to-end   drained=%s in %s s; %s ev/s (first send -> all visible); visible %d of %d%n",
                        r.get("drained").asBoolean(), num(r.get("drain_s")), num(r.get("e2e_events_per_s")),
                        Math.max(0, r.get("visible_events").asLong()), r.get("expected_events").asLong()));
            } else {
                b.append("end-to-end   not measured (metrics API unavailable)\n");
            }
            BenchUtil.appendLines(b, r, "rejected_samples", "rejected     ");
            BenchUtil.appendLines(b, r, "error_samples", "error        ");
            BenchUtil.appendLines(b, r, "notes", "note         ");
            return b.toString();
        }
    }

    // ------------------------------------------------------------------ small helpers

    private static ObjectNode percentiles(Histogram h, boolean withP90) {
        ObjectNode n = MAPPER.createObjectNode();
        putMs(n, "p50", h, 50);
        if (withP90) {
            putMs(n, "p90", h, 90);
        }
        putMs(n, "p99", h, 99);
        putMs(n, "max", h, 100);
        n.put("count", h.getTotalCount());
        return n;
    }

    private static String ms(com.fasterxml.jackson.databind.JsonNode n, String... fields) {
        StringBuilder b = new StringBuilder();
        for (String f : fields) {
            b.append(f).append(' ').append(num(n.get(f))).append("  ");
        }
        return b.toString().trim();
    }

    static String fmt(double v) {
        return BenchUtil.fmt(v);
    }

    static long floorDay(long millis) {
        return Math.floorDiv(millis, 86_400_000L) * 86_400_000L;
    }

    static long ceilDay(long millis) {
        return -Math.floorDiv(-millis, 86_400_000L) * 86_400_000L;
    }
}
