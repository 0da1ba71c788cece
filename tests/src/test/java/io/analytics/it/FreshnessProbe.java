package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Freshness as a dashboard user sees it. Every 200 ms a probe event, each with a platform of its own
 * ({@code probe-N}), is sent through one node, and that node's metrics API is read every 100 ms; a probe's
 * freshness is the time from its acknowledgement to the first answer that counts it. Queries give up
 * after 2 s, as a dashboard would, and ask again. Probes are real events: they enter the ground truth,
 * at the event time of the stream's latest event, so they never make the stream's own events late.
 */
final class FreshnessProbe implements AutoCloseable {

    private static final Duration EVERY = Duration.ofMillis(200);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
    private static final String QUERY = "/api/v1/metrics?metric=events&window=1d&group_by=platform&start_time="
            + URLEncoder.encode(MetricsAssertions.FROM, StandardCharsets.UTF_8) + "&end_time="
            + URLEncoder.encode(MetricsAssertions.TO, StandardCharsets.UTF_8);

    private final GroundTruth truth;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    /** Probe number → System.nanoTime() of its acknowledgement, and of the first answer counting it. */
    private final Map<Integer, Long> acknowledged = new ConcurrentHashMap<>();
    private final Map<Integer, Long> visible = new ConcurrentHashMap<>();
    private volatile String url;
    private volatile boolean running = true;

    FreshnessProbe(String url, GroundTruth truth) {
        this.url = url;
        this.truth = truth;
        threads.submit(() -> TestSupport.unchecked(this::send));
        threads.submit(() -> TestSupport.unchecked(this::poll));
    }

    /** Sends and reads through another node from now on (switch before the current one stops). */
    void url(String url) {
        this.url = url;
    }

    private Void send() throws Exception {
        for (int n = 0; running; n++) {
            ObjectNode event = probe(n);
            String body = ApiClient.JSON.writeValueAsString(event);
            // Retried until acknowledged even when closing: a request that timed out may have been stored.
            long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
            while (request(HttpRequest.newBuilder(URI.create(url + "/api/v1/events"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))) != 202) {
                assertThat(System.nanoTime()).as("probe %d acknowledged within %s", n, SEND_TIMEOUT).isLessThan(deadline);
                Thread.sleep(POLL.toMillis());
            }
            acknowledged.put(n, System.nanoTime());
            truth.accept(event);
            Thread.sleep(EVERY.toMillis());
        }
        return null;
    }

    private ObjectNode probe(int n) {
        ObjectNode event = ApiClient.JSON.createObjectNode()
                .put("event_id", "probe-" + n)
                .put("event_type", "page_view")
                .put("timestamp", truth.lastEventTime(EventScenario.START).toString());
        event.putObject("metadata").put("platform", "probe-" + n);
        return event;
    }

    private Void poll() throws Exception {
        while (running) {
            long asked = System.nanoTime();
            HttpResponse<String> answer = answer(HttpRequest.newBuilder(URI.create(url + QUERY)).GET());
            if (answer != null && answer.statusCode() == 200) {
                for (JsonNode series : ApiClient.JSON.readTree(answer.body()).path("series")) {
                    String key = series.path("key").asText("");
                    if (key.startsWith("probe-")) {
                        visible.putIfAbsent(Integer.parseInt(key.substring("probe-".length())), asked);
                    }
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        return null;
    }

    private int request(HttpRequest.Builder request) throws InterruptedException {
        HttpResponse<String> answer = answer(request);
        return answer == null ? 0 : answer.statusCode();
    }

    /** The node's answer, or null when it gave none within the timeout. */
    private HttpResponse<String> answer(HttpRequest.Builder request) throws InterruptedException {
        try {
            return http.send(request.timeout(TIMEOUT).header("X-API-Key", TestNode.API_KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    /** Waits (up to 90 s) until every acknowledged probe has been seen. */
    void awaitAllVisible() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!visible.keySet().containsAll(acknowledged.keySet())) {
            assertThat(System.nanoTime()).as("every probe visible within 90 s; unseen: %s",
                    acknowledged.keySet().stream().filter(n -> !visible.containsKey(n)).toList()).isLessThan(deadline);
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The longest freshness of the probes acknowledged between the two {@link System#nanoTime()} readings. */
    Duration maxFreshness(long from, long to) {
        return Duration.ofNanos(acknowledged.entrySet().stream()
                .filter(probe -> probe.getValue() >= from && probe.getValue() <= to)
                .mapToLong(probe -> visible.getOrDefault(probe.getKey(), System.nanoTime()) - probe.getValue())
                .max().orElseThrow());
    }

    /**
     * How long after {@code since} (a {@link System#nanoTime()} reading) freshness was back to at most
     * {@code lag}: the time when the last probe that took longer than that became visible. Probes
     * acknowledged up to {@code lag} before {@code since} count too: they may have been on their way.
     */
    Duration recoveredAfter(long since, Duration lag) {
        long now = System.nanoTime();
        long staleUntil = acknowledged.entrySet().stream()
                .filter(probe -> probe.getValue() >= since - lag.toNanos())
                .filter(probe -> visible.getOrDefault(probe.getKey(), now) - probe.getValue() > lag.toNanos())
                .mapToLong(probe -> visible.getOrDefault(probe.getKey(), now))
                .max().orElse(since);
        return Duration.ofNanos(Math.max(0, staleUntil - since));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        threads.shutdown();
        assertThat(threads.awaitTermination(SEND_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)).as("probe threads stopped").isTrue();
    }
}
