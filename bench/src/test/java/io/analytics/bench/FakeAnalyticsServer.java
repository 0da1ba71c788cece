package io.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny stand-in for the platform: accepts events (deduplicating by event_id) and answers
 * {@code metric=events} queries from what it received, each event becoming visible a fixed delay
 * after it was accepted.
 */
final class FakeAnalyticsServer implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Stored(String type, long timestamp, long visibleAtNanos) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final String apiKey;
    private final long visibilityDelayNanos;
    final Set<String> ids = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Stored> events = new ConcurrentLinkedQueue<>();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong ingestRequests = new AtomicLong();
    final AtomicLong metricsRequests = new AtomicLong();

    FakeAnalyticsServer(String apiKey, long visibilityDelayMillis) throws IOException {
        this(apiKey, visibilityDelayMillis, 0);
    }

    FakeAnalyticsServer(String apiKey, long visibilityDelayMillis, int port) throws IOException {
        this.apiKey = apiKey;
        this.visibilityDelayNanos = TimeUnit.MILLISECONDS.toNanos(visibilityDelayMillis);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.createContext("/api/v1/events", this::ingest);
        server.createContext("/api/v1/metrics", this::metrics);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Stored (non-duplicate) events of the given type, or of all types but the probe when null. */
    long count(String type) {
        return events.stream().filter(e -> type == null ? !e.type().equals(EventMix.PROBE_TYPE) : e.type().equals(type)).count();
    }

    private void ingest(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "{\"error\":\"method\"}");
                return;
            }
            if (!apiKey.equals(ex.getRequestHeaders().getFirst("X-API-Key"))) {
                reply(ex, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            ingestRequests.incrementAndGet();
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                body = MAPPER.readTree(in);
            }
            if (!body.isArray() || body.size() > 10_000) {
                reply(ex, 400, "{\"error\":\"body must be an array of up to 10000 events\"}");
                return;
            }
            long accepted = 0;
            long dups = 0;
            ArrayNode rejected = MAPPER.createArrayNode();
            for (int i = 0; i < body.size(); i++) {
                JsonNode e = body.get(i);
                String id = e.path("event_id").asText(null);
                String type = e.path("event_type").asText(null);
                long ts;
                try {
                    ts = OffsetDateTime.parse(e.path("timestamp").asText()).toInstant().toEpochMilli();
                } catch (RuntimeException bad) {
                    ts = -1;
                }
                if (id == null || type == null || ts < 0) {
                    ObjectNode r = rejected.addObject();
                    r.put("index", i);
                    r.put("event_id", id);
                    r.put("error", "missing event_id, event_type or timestamp");
                    continue;
                }
                if (!ids.add(id)) {
                    dups++;
                    continue;
                }
                events.add(new Stored(type, ts, System.nanoTime() + visibilityDelayNanos));
                accepted++;
            }
            duplicates.addAndGet(dups);
            ObjectNode answer = MAPPER.createObjectNode();
            answer.put("accepted", accepted);
            answer.put("duplicates", dups);
            answer.set("rejected", rejected);
            reply(ex, 202, MAPPER.writeValueAsString(answer));
        }
    }

    private void metrics(HttpExchange ex) throws IOException {
        try (ex) {
            if (!apiKey.equals(ex.getRequestHeaders().getFirst("X-API-Key"))) {
                reply(ex, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            metricsRequests.incrementAndGet();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            if (!"events".equals(q.get("metric")) || !"1d".equals(q.get("window"))
                    || q.get("start_time") == null || q.get("end_time") == null) {
                reply(ex, 400, "{\"error\":\"this fake only knows metric=events&window=1d with a time range\"}");
                return;
            }
            long start = Instant.parse(q.get("start_time")).toEpochMilli();
            long end = Instant.parse(q.get("end_time")).toEpochMilli();
            String type = q.get("event_type");
            long now = System.nanoTime();
            TreeMap<Long, Long> perDay = new TreeMap<>();
            for (Stored e : events) {
                if (e.visibleAtNanos() - now <= 0 && e.timestamp() >= start && e.timestamp() < end
                        && (type == null || type.equals(e.type()))) {
                    perDay.merge(Math.floorDiv(e.timestamp(), 86_400_000L) * 86_400_000L, 1L, Long::sum);
                }
            }
            ObjectNode answer = MAPPER.createObjectNode();
            answer.put("metric", "events");
            answer.put("window", "1d");
            ObjectNode series = answer.putArray("series").addObject();
            series.putNull("key");
            ArrayNode points = series.putArray("points");
            perDay.forEach((day, n) -> {
                ObjectNode p = points.addObject();
                p.put("window_start", Instant.ofEpochMilli(day).toString());
                p.put("value", n);
                p.put("count", n);
            });
            reply(ex, 200, MAPPER.writeValueAsString(answer));
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        ToolRun.replyJson(ex, status, body);
    }

    /** {@code FakeAnalyticsServer PORT [API_KEY] [VISIBILITY_DELAY_MS]}: for trying bench/run.sh by hand. */
    public static void main(String[] args) throws Exception {
        FakeAnalyticsServer s = new FakeAnalyticsServer(args.length > 1 ? args[1] : "bench-key",
                args.length > 2 ? Long.parseLong(args[2]) : 200, Integer.parseInt(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        System.out.println("fake analytics server ready " + s.url());
        Thread.currentThread().join();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
