package io.analytics.bench;

import static io.analytics.bench.BenchUtil.putMs;
import static io.analytics.bench.BenchUtil.round;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Benchmark of the live hub against a running platform (bench/hub.sh starts one):
 * <ol>
 *   <li><b>latency</b> (measured second): while the load generator runs at {@code --rate} ({@code half}, the
 *   default: half the median rate the runs without subscribers below sustained), a probe event is posted every
 *   100 ms and a WebSocket subscriber watches a series counting probes; the time from each probe's
 *   202 to the update that includes it is recorded (p50, p99, max);</li>
 *   <li><b>subscribers</b>: the load generator at {@code --saturate-rate} with no subscriber and with
 *   {@code --subscribers} WebSocket clients (each on four dashboard series; {@link HubSubscribers}), in
 *   alternating order; the end-to-end throughput of both is compared (measured first). With {@code --server-pid}, the server's and this
 *   JVM's CPU time of both are compared too: on a machine busy with other work the throughput varies
 *   with the neighbours, the server's CPU time per event much less.</li>
 * </ol>
 * Before both, with {@code --warmup}, the load generator runs at {@code --warmup-rate} for that long, the
 * subscribers connected for its second half: a fresh node on two cores spends its first minutes compiling
 * (see the README), and what it measures then is mostly its JIT.
 *
 * <p>Usage: {@code HubBench --url U --api-key K --rate N --saturate-rate N --duration 30s --runs 3 --subscribers 1000
 * [--batch true] [--warmup 5m --warmup-rate 8000] [--server-pid P --clk-tck 100] --out F}; prints a summary,
 * writes the whole result to F.
 */
public final class HubBench {

    private static final String PROBE_TYPE = "hub_probe";
    private static final String PROBE_SERIES = "{\"name\":\"probe\",\"metric\":\"events\",\"event_type\":\"" + PROBE_TYPE
            + "\",\"window\":\"1m\",\"last\":\"30m\"}";
    private static final String DASHBOARD = "[\"orders_per_minute\",\"revenue_per_minute\",\"top_products_last_hour\",\"active_users\"]";

    /** What the node uses with nothing to do: cluster gossip, projections polling, the hub's idle ticks. */
    private static final double QUIET_CORES = 0.3;
    private static final Duration QUIET_SAMPLE = Duration.ofSeconds(2);
    private static final Duration QUIET_MAX = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String url;
    private final String apiKey;
    private final CpuClock serverCpu;

    private HubBench(String url, String apiKey, CpuClock serverCpu) {
        this.url = url;
        this.apiKey = apiKey;
        this.serverCpu = serverCpu;
    }

    /** CPU time of a process in nanoseconds, user + system; null when not measured. */
    private interface CpuClock {
        Long nanos();
    }

    /** The server JVM's CPU time from /proc (Linux): utime and stime, fields 14 and 15 of its stat line. */
    private static CpuClock procCpu(String pid, long clockTicks) {
        return () -> {
            try {
                String stat = Files.readString(Path.of("/proc", pid, "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1_000_000_000L / clockTicks;
            } catch (Exception e) {
                return null;
            }
        };
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        CpuClock serverCpu = flags.containsKey("server-pid")
                ? procCpu(flags.get("server-pid"), Long.parseLong(flags.getOrDefault("clk-tck", "100")))
                : () -> null;
        HubBench bench = new HubBench(flags.getOrDefault("url", "http://127.0.0.1:18080"), flags.get("api-key"), serverCpu);
        int runs = Integer.parseInt(flags.getOrDefault("runs", "3"));
        boolean batched = Boolean.parseBoolean(flags.getOrDefault("batch", "false"));
        String duration = flags.getOrDefault("duration", "30s");
        ObjectNode result = BenchUtil.MAPPER.createObjectNode();
        result.put("started_at", Instant.now().toString());
        result.put("duration", duration);
        result.put("runs", runs);
        result.put("batched_subscribers", batched);
        int subscriberCount = Integer.parseInt(flags.getOrDefault("subscribers", "1000"));
        String warmup = flags.getOrDefault("warmup", "0s");
        if (Options.parseDuration("warmup", warmup, 0, Long.MAX_VALUE / 4) > 0) {
            result.set("warmup", bench.warmup(flags.getOrDefault("warmup-rate", "8000"), warmup, subscriberCount, batched));
        }
        ArrayNode subscribers = result.putArray("subscribers");
        for (int run = 0; run < runs && subscriberCount > 0; run++) {
            subscribers.add(bench.subscriberImpact(flags.getOrDefault("saturate-rate", "75000"), duration, subscriberCount,
                    run % 2 == 1, batched));
        }
        String rateFlag = flags.getOrDefault("rate", "half");
        if ("half".equals(rateFlag) && subscribers.isEmpty()) {
            throw new IllegalArgumentException("--rate half takes half the rate the runs without subscribers sustained;"
                    + " with --subscribers 0 give --rate N");
        }
        double rate = "half".equals(rateFlag) ? halfTheSustainedRate(subscribers) : Double.parseDouble(rateFlag);
        ArrayNode latency = result.putArray("latency");
        for (int run = 0; run < runs; run++) {
            latency.add(bench.latency(rate, duration));
        }
        Files.writeString(Path.of(flags.getOrDefault("out", "hub-bench.json")), BenchUtil.MAPPER.writeValueAsString(result));
        printSummary(result);
    }

    /** Half the median end-to-end rate the runs without subscribers sustained, rounded down to a hundred. */
    private static double halfTheSustainedRate(ArrayNode runs) {
        List<Double> rates = new ArrayList<>();
        runs.forEach(run -> rates.add(run.at("/without_subscribers/e2e_events_per_s").asDouble()));
        return Math.max(100, Math.floor(BenchUtil.median(rates) / 200) * 100);
    }

    private static void printSummary(ObjectNode result) {
        if (result.has("warmup")) {
            JsonNode warmup = result.get("warmup");
            System.out.printf(java.util.Locale.ROOT, "warm-up of %s: e2e %.0f events/s, then %.0f with subscribers%n",
                    warmup.get("duration").asText(), warmup.at("/without_subscribers/e2e_events_per_s").asDouble(),
                    warmup.at("/with_subscribers/e2e_events_per_s").asDouble());
        }
        for (JsonNode run : result.get("latency")) {
            System.out.printf(java.util.Locale.ROOT, "latency at %.0f events/s (loadgen e2e %.0f/s): accepted -> visible p50 %s ms, p99 %s ms,"
                    + " max %s ms (%d of %d probes seen); hub at its behind pace %.0f%% of the time%n", run.get("target_rate").asDouble(),
                    run.at("/loadgen/e2e_events_per_s").asDouble(), run.get("p50_ms").asText(), run.get("p99_ms").asText(),
                    run.get("max_ms").asText(), run.get("probes_seen").asLong(), run.get("probes_accepted").asLong(),
                    100 * run.get("hub_behind_share").asDouble());
        }
        for (JsonNode run : result.get("subscribers")) {
            System.out.printf(java.util.Locale.ROOT, "%d subscribers (%s): e2e %.0f -> %.0f events/s, throughput ratio %s;"
                    + " server CPU ms per 1,000 events %s -> %s (ratio %s); hub behind %.0f%% of the run%n",
                    run.get("subscribers").asInt(), run.get("order").asText(),
                    run.at("/without_subscribers/e2e_events_per_s").asDouble(), run.at("/with_subscribers/e2e_events_per_s").asDouble(),
                    run.get("throughput_ratio").asText(), run.at("/without_subscribers/server_cpu_ms_per_1k_events").asText("-"),
                    run.at("/with_subscribers/server_cpu_ms_per_1k_events").asText("-"), run.path("server_cpu_per_event_ratio").asText("-"),
                    100 * run.at("/with_subscribers/hub_behind_share").asDouble());
        }
    }

    /**
     * The load generator at {@code rate} for {@code duration} in two halves, the second with the
     * subscribers connected, so that both the pipeline and the hub's delivery are compiled before anything
     * is measured.
     */
    private ObjectNode warmup(String rate, String duration, int count, boolean batched) throws Exception {
        long millis = Options.parseDuration("warmup", duration, 1, Long.MAX_VALUE / 4);
        String half = Math.max(1, millis / 2000) + "s";
        System.out.printf("warming up: %s at %s events/s, the second half with %d subscribers%n", duration, rate, count);
        ObjectNode r = BenchUtil.MAPPER.createObjectNode();
        r.put("duration", duration);
        r.set("without_subscribers", measured(rate, half));
        r.set("with_subscribers", count > 0 ? withSubscribers(rate, half, count, batched) : measured(rate, half));
        return r;
    }

    /** Accepted → visible to a WebSocket subscriber, while the load generator runs at {@code rate}. */
    private ObjectNode latency(double rate, String duration) throws Exception {
        awaitQuietServer();
        List<Long> acceptedAt = Collections.synchronizedList(new ArrayList<>());
        List<Long> acceptedWallMs = Collections.synchronizedList(new ArrayList<>());
        List<Long> latencyMicros = Collections.synchronizedList(new ArrayList<>());
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        AtomicLong baseline = new AtomicLong(-1);
        AtomicLong seen = new AtomicLong();
        CountDownLatch snapshot = new CountDownLatch(1);
        WebSocket socket = subscribe("[" + PROBE_SERIES + "]", message -> {
            long now = System.nanoTime();
            if (!"probe".equals(message.path("name").asText())) {
                return;
            }
            long total = message.at("/data/summary/total").asLong();
            if (baseline.compareAndSet(-1, total)) {
                snapshot.countDown();
                return;
            }
            long visible = total - baseline.get();
            synchronized (histogram) {
                while (seen.get() < visible && seen.get() < acceptedAt.size()) {
                    long micros = Math.max(0, (now - acceptedAt.get((int) seen.getAndIncrement())) / 1000);
                    histogram.recordValue(micros);
                    latencyMicros.add(micros);
                }
            }
        });
        if (!snapshot.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no snapshot of the probe series within 30 s");
        }
        CompletableFuture<ObjectNode> load = loadgen(rate, duration);
        long probe = 0;
        int paceSamples = 0;
        int behindSamples = 0;
        while (!load.isDone()) {
            if (probe % 10 == 0) {
                paceSamples++;
                behindSamples += stats().path("behind").asBoolean() ? 1 : 0;
            }
            String event = "{\"event_id\":\"probe-" + System.nanoTime() + "-" + probe++ + "\",\"event_type\":\"" + PROBE_TYPE
                    + "\",\"timestamp\":" + System.currentTimeMillis() + "}";
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/events"))
                    .header("X-API-Key", apiKey).POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                acceptedAt.add(System.nanoTime());
                acceptedWallMs.add(System.currentTimeMillis());
            }
            Thread.sleep(100);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.get() < acceptedAt.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        ObjectNode r = BenchUtil.MAPPER.createObjectNode();
        r.put("target_rate", rate);
        r.set("loadgen", summary(load.join()));
        r.put("probes_accepted", acceptedAt.size());
        // The hub slows to its behind tick while the pipeline is behind; sampled once a second.
        r.put("hub_behind_share", paceSamples == 0 ? 0 : (double) behindSamples / paceSamples);
        ArrayNode slowest = r.putArray("slowest_probes");
        java.util.stream.IntStream.range(0, latencyMicros.size()).boxed()
                .sorted((a, b) -> Long.compare(latencyMicros.get(b), latencyMicros.get(a))).limit(10)
                .forEach(i -> slowest.addObject().put("accepted_at", Instant.ofEpochMilli(acceptedWallMs.get(i)).toString())
                        .put("ms", latencyMicros.get(i) / 1000));
        r.put("probes_seen", seen.get());
        synchronized (histogram) {
            putMs(r, "p50_ms", histogram, 50);
            putMs(r, "p99_ms", histogram, 99);
            putMs(r, "max_ms", histogram, 100);
        }
        return r;
    }

    /** The same saturating load with and without {@code count} WebSocket subscribers. */
    private ObjectNode subscriberImpact(String rate, String duration, int count, boolean subscribersFirst, boolean batched)
            throws Exception {
        ObjectNode r = BenchUtil.MAPPER.createObjectNode();
        r.put("target_rate", Double.parseDouble(rate));
        r.put("subscribers", count);
        r.put("order", subscribersFirst ? "with, then without" : "without, then with");
        if (subscribersFirst) {
            r.set("with_subscribers", withSubscribers(rate, duration, count, batched));
            r.set("without_subscribers", measured(rate, duration));
        } else {
            r.set("without_subscribers", measured(rate, duration));
            r.set("with_subscribers", withSubscribers(rate, duration, count, batched));
        }
        double without = r.at("/without_subscribers/e2e_events_per_s").asDouble();
        double with = r.at("/with_subscribers/e2e_events_per_s").asDouble();
        r.put("throughput_ratio", round(with / without, 3));
        if (r.at("/with_subscribers").has("server_cpu_ms_per_1k_events")) {
            r.put("server_cpu_per_event_ratio", round(r.at("/with_subscribers/server_cpu_ms_per_1k_events").asDouble()
                    / r.at("/without_subscribers/server_cpu_ms_per_1k_events").asDouble(), 3));
        }
        return r;
    }

    /**
     * One load run, with the CPU time the server and this JVM (load generator, and subscribers if any)
     * spent during it: {@code server_cpu_s}, {@code server_cpu_ms_per_1k_events} (per end-to-end
     * event), {@code bench_cpu_s}.
     */
    private ObjectNode measured(String rate, String duration) throws Exception {
        awaitQuietServer();
        Long server0 = serverCpu.nanos();
        long own0 = ownCpuNanos();
        long started = System.nanoTime();
        CompletableFuture<ObjectNode> load = loadgen(Double.parseDouble(rate), duration);
        double behindShare = behindShareUntil(load);
        ObjectNode summary = summary(load.join());
        double seconds = (System.nanoTime() - started) / 1e9;
        summary.put("hub_behind_share", round(behindShare, 2));
        Long server1 = serverCpu.nanos();
        summary.put("bench_cpu_s", round((ownCpuNanos() - own0) / 1e9, 2));
        if (server0 != null && server1 != null) {
            double cpuMs = (server1 - server0) / 1e6;
            double events = summary.get("e2e_events_per_s").asDouble() * Options.parseDuration("duration", duration, 1, Long.MAX_VALUE / 4) / 1000.0;
            summary.put("server_cpu_s", round(cpuMs / 1000, 2));
            summary.put("server_cpu_cores", round(cpuMs / 1000 / seconds, 2));
            summary.put("server_cpu_ms_per_1k_events", round(cpuMs / (events / 1000), 2));
        }
        return summary;
    }

    /** The share of once-a-second samples, until {@code load} completes, in which the hub was at its behind pace. */
    private double behindShareUntil(CompletableFuture<?> load) throws Exception {
        int samples = 0;
        int behind = 0;
        while (!load.isDone()) {
            samples++;
            behind += stats().path("behind").asBoolean() ? 1 : 0;
            try {
                load.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                continue;
            } catch (java.util.concurrent.ExecutionException failed) {
                break;
            }
        }
        return samples == 0 ? 0 : (double) behind / samples;
    }

    /**
     * Waits until the server uses less than {@link #QUIET_CORES} over {@link #QUIET_SAMPLE}, for at most
     * {@link #QUIET_MAX}: after a saturating run the journeys and archiver consumer groups, which no metric
     * waits for, catch up for a minute or more, and would take their CPU from the next run.
     */
    private void awaitQuietServer() throws InterruptedException {
        if (serverCpu.nanos() == null) {
            return;
        }
        long deadline = System.nanoTime() + QUIET_MAX.toNanos();
        while (System.nanoTime() < deadline) {
            Long before = serverCpu.nanos();
            Thread.sleep(QUIET_SAMPLE.toMillis());
            Long after = serverCpu.nanos();
            if (before == null || after == null || after - before < QUIET_CORES * QUIET_SAMPLE.toNanos()) {
                return;
            }
        }
        System.out.printf("the server was still busy after %d s; measuring anyway%n", QUIET_MAX.toSeconds());
    }

    /** @param batched whether the subscribers ask for a tick's updates in one message, as the dashboard page does */
    private ObjectNode withSubscribers(String rate, String duration, int count, boolean batched) throws Exception {
        URI stream = URI.create(url.replace("http://", "ws://") + "/api/v1/stream/metrics" + (batched ? "?batch=true" : ""));
        try (HubSubscribers subscribers = new HubSubscribers(stream, apiKey, DASHBOARD, count, 4)) {
            if (!subscribers.awaitReady(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(subscribers.notReady() + " subscribers got no snapshots within 120 s");
            }
            long before = subscribers.updates();
            ObjectNode summary = measured(rate, duration);
            summary.put("updates_delivered", subscribers.updates() - before);
            summary.set("hub_stats", stats());
            return summary;
        }
    }

    private CompletableFuture<ObjectNode> loadgen(double rate, String duration) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Path out = Files.createTempFile("hub-bench-loadgen", ".json");
                PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
                int exit = LoadGenerator.run(new String[] {"--url", url, "--api-key", apiKey, "--rate", Double.toString(rate),
                        "--duration", duration, "--quiet", "--out", out.toString()}, Map.of(), quiet, quiet);
                if (exit != 0) {
                    throw new IllegalStateException("load generator exit code " + exit);
                }
                ObjectNode result = (ObjectNode) BenchUtil.MAPPER.readTree(out.toFile());
                Files.delete(out);
                return result;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static ObjectNode summary(ObjectNode loadgen) {
        ObjectNode s = BenchUtil.MAPPER.createObjectNode();
        for (String field : List.of("target_rate", "accepted_per_s", "e2e_events_per_s", "drained")) {
            s.set(field, loadgen.get(field));
        }
        return s;
    }

    private JsonNode stats() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/stream/stats"))
                .header("X-API-Key", apiKey).build(), HttpResponse.BodyHandlers.ofString());
        return BenchUtil.MAPPER.readTree(response.body());
    }

    private WebSocket subscribe(String series, Consumer<JsonNode> onMessage) {
        return connect(series, text -> {
            try {
                onMessage.accept(BenchUtil.MAPPER.readTree(text));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A WebSocket subscriber handing each whole text message to {@code onText}. */
    private WebSocket connect(String series, Consumer<String> onText) {
        WebSocket socket = http.newWebSocketBuilder().header("X-API-Key", apiKey)
                .buildAsync(URI.create(url.replace("http://", "ws://") + "/api/v1/stream/metrics"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            onText.accept(partial.toString());
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).join();
        socket.sendText("{\"subscribe\": " + series + "}", true).join();
        return socket;
    }
}
