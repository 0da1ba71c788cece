package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client of {@code /api/v1/stream/metrics} that keeps what a dashboard keeps: per series,
 * the points of the last snapshot with every later delta applied, trimmed to the range.
 */
final class HubSubscriber implements WebSocket.Listener, AutoCloseable {

    private final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    /** series name → "key|window_start" → value */
    private final Map<String, TreeMap<String, Double>> points = new HashMap<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;

    HubSubscriber(String baseUrl, String apiKey) throws Exception {
        this(baseUrl, apiKey, false);
    }

    /** @param batched asks for a tick's updates in one {@code metrics_updates} message ({@code ?batch=true}) */
    HubSubscriber(String baseUrl, String apiKey, boolean batched) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("X-API-Key", apiKey)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(baseUrl.replace("http://", "ws://") + "/api/v1/stream/metrics"
                        + (batched ? "?batch=true" : "")), this)
                .get(10, TimeUnit.SECONDS);
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** Sends {@code {"subscribe": items}} and returns the names the hub answers it subscribed. */
    java.util.List<String> subscribe(String items) throws InterruptedException {
        send("{\"subscribe\": " + items + "}");
        JsonNode answer = await(m -> m.path("type").asText().equals("subscribed"), Duration.ofSeconds(5), "subscribed");
        java.util.List<String> names = new java.util.ArrayList<>();
        answer.get("names").forEach(n -> names.add(n.asText()));
        return names;
    }

    /** The next message satisfying {@code wanted} within {@code timeout}; earlier ones are applied and skipped. */
    JsonNode await(Predicate<JsonNode> wanted, Duration timeout, String what) throws InterruptedException {
        JsonNode message = poll(wanted, timeout);
        assertThat(message).as("within " + timeout + ": " + what).isNotNull();
        return message;
    }

    /** Like {@link #await} but null when none came within {@code timeout}. */
    JsonNode poll(Predicate<JsonNode> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode message = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
            if (message == null) {
                return null;
            }
            apply(message);
            if (wanted.test(message)) {
                return message;
            }
        }
    }

    /** Fails if a message satisfying {@code unwanted} arrives within {@code period}; others are applied. */
    void expectNone(Predicate<JsonNode> unwanted, Duration period, String what) throws InterruptedException {
        TestSupport.expectNone(received, period, this::apply, unwanted, "within " + period + ": " + what);
    }

    /** Applies whatever has arrived so far. */
    void drain() {
        JsonNode message;
        while ((message = received.poll()) != null) {
            apply(message);
        }
    }

    /** "key|window_start" → value of a timeline series, as built from snapshot and deltas. */
    Map<String, Double> points(String series) {
        return points.getOrDefault(series, new TreeMap<>());
    }

    private void apply(JsonNode message) {
        if ("metrics_updates".equals(message.path("type").asText())) {
            message.get("updates").forEach(this::apply);
            return;
        }
        if (!"metrics_update".equals(message.path("type").asText()) || !message.path("data").has("series")) {
            return;
        }
        JsonNode data = message.get("data");
        TreeMap<String, Double> model = points.computeIfAbsent(message.get("name").asText(), n -> new TreeMap<>());
        if ("snapshot".equals(message.get("mode").asText())) {
            model.clear();
        }
        String start = data.get("start_time").asText();
        model.keySet().removeIf(k -> k.substring(k.lastIndexOf('|') + 1).compareTo(start) < 0);
        for (JsonNode series : data.get("series")) {
            for (JsonNode point : series.get("points")) {
                model.put(series.get("key").asText() + "|" + point.get("window_start").asText(), point.get("value").asDouble());
            }
        }
    }

    static Map<String, Double> restPoints(JsonNode answer) {
        Map<String, Double> rest = new TreeMap<>();
        for (JsonNode series : answer.get("series")) {
            for (JsonNode point : series.get("points")) {
                rest.put(series.get("key").asText() + "|" + point.get("window_start").asText(), point.get("value").asDouble());
            }
        }
        return rest;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            received.add(TestSupport.unchecked(() -> ApiClient.JSON.readTree(partial.toString())));
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
}
