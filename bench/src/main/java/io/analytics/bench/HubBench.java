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
 *   <li><b>latency</b>: while the load generator runs at {@code --rate}, a probe event is posted every
 *   100 ms and a WebSocket subscriber watches a series counting probes; the time from each probe's
 *   202 to the update that includes it is recorded (p50, p99, max);</li>
 *   <li><b>subscribers</b>: the load generator at {@code --saturate-rate} with no subscriber and with
 *   {@code --subscribers} WebSocket clients (each on four dashboard series; {@link HubSubscribers}), in
 *   alternating order; the end-to-end throughput of both is compared. With {@code --server-pid}, the server's and this
 *   JVM's CPU time of both are compared too: on a machine busy with other work the throughput varies
 *   with the neighbours, the server's CPU time per event much less.</li>
 * </ol>
 * Usage: {@code HubBench --url U --api-key K --rate N --saturate-rate N --duration 30s --runs 3 --subscribers 1000
 * [--batch true] [--server-pid P --clk-tck 100] --out F}; prints a summary, writes the whole result to F.
 */
public final class HubBench {

    private static final String PROBE_TYPE = "hub_probe";
    private static final String PROBE_SERIES = "{\"name\":\"probe\",\"metric\":\"events\",\"event_type\":\"" + PROBE_TYPE
            + "\",\"window\":\"1m\",\"last\":\"30m\"}";
    private static final String DASHBOARD = "[\"orders_per_minute\",\"revenue_per_minute\",\"top_products_last_hour\",\"active_users\"]";

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
        ArrayNode latency = result.putArray("latency");
        for (int run = 0; run < runs; run++) {
            latency.add(bench.latency(Double.parseDouble(flags.getOrDefault("rate", "35000")), duration));
        }
        ArrayNode subscribers = result.putArray("subscribers");
        for (int run = 0; run < runs; run++) {
            subscribers.add(bench.subscriberImpact(flags.getOrDefault("saturate-rate", "75000"), duration,
                    Integer.parseInt(flags.getOrDefault("subscribers", "1000")), run % 2 == 1, batched));
        }
        Files.writeString(Path.of(flags.getOrDefault("out", "hub-bench.json")), BenchUtil.MAPPER.writeValueAsString(result));
        printSummary(result);
    }

    private static void printSummary(ObjectNode result) {
        for (JsonNode run : result.get("latency")) {
            System.out.printf(java.util.Locale.ROOT, "latency at %.0f events/s (loadgen e2e %.0f/s): accepted -> visible p50 %s ms, p99 %s ms,"
                    + " max %s ms (%d of %d probes seen)%n", run.get("target_rate").asDouble(),
                    run.at("/loadgen/e2e_events_per_s").asDouble(), run.get("p50_ms").asText(), run.get("p99_ms").asText(),
                    run.get("max_ms").asText(), run.get("probes_seen").asLong(), run.get("probes_accepted").asLong());
        }
        for (JsonNode run : result.get("subscribers")) {
            System.out.printf(java.util.Locale.ROOT, "%d subscribers (%s): e2e %.0f -> %.0f events/s, throughput ratio %s;"
                    + " server CPU ms per 1,000 events %s -> %s (ratio %s)%n", run.get("subscribers").asInt(), run.get("order").asText(),
                    run.at("/without_subscribers/e2e_events_per_s").asDouble(), run.at("/with_subscribers/e2e_events_per_s").asDouble(),
                    run.get("throughput_ratio").asText(), run.at("/without_subscribers/server_cpu_ms_per_1k_events").asText("-"),
                    run.at("/with_subscribers/server_cpu_ms_per_1k_events").asText("-"), run.path("server_cpu_per_event_ratio").asText("-"));
        }
    }

    /** Accepted → visible to a WebSocket subscriber, while the load generator runs at {@code rate}. */
    private ObjectNode latency(double rate, String duration) throws Exception {
        List<Long> acceptedAt = Collections.synchronizedList(new ArrayList<>());
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
                    histogram.recordValue(Math.max(0, (now - acceptedAt.get((int) seen.getAndIncrement())) / 1000));
                }
            }
        });
        if (!snapshot.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no snapshot of the probe series within 30 s");
        }
        CompletableFuture<ObjectNode> load = loadgen(rate, duration);
        long probe = 0;
        while (!load.isDone()) {
            String event = "{\"event_id\":\"probe-" + System.nanoTime() + "-" + probe++ + "\",\"event_type\":\"" + PROBE_TYPE
                    + "\",\"timestamp\":" + System.currentTimeMillis() + "}";
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/events"))
                    .header("X-API-Key", apiKey).POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                acceptedAt.add(System.nanoTime());
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
        Long server0 = serverCpu.nanos();
        long own0 = ownCpuNanos();
        long started = System.nanoTime();
        ObjectNode summary = summary(loadgen(Double.parseDouble(rate), duration).join());
        double seconds = (System.nanoTime() - started) / 1e9;
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
