package io.analytics.it;

import static io.analytics.it.NodeScript.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.bench.HubSubscribers;
import io.analytics.core.window.WindowSize;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live hub on a two-node cluster: events go in through node A, subscribers sit on node B, so every
 * update they see crossed the cluster. Snapshot then deltas, a late event correcting an old minute,
 * Server-Sent Events, the official SignalR client (Node.js), clear errors, and a stalled client that is conflated and told it fell behind
 * while a healthy one keeps up. The tests compare totals before and after their own events, so they
 * run in a fixed order with the flooding stalled-client test last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveHubIntegrationTest {

    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;
    static TestPostgres postgres;
    static AnalyticsNode ingestNode;
    static AnalyticsNode hubNode;
    static ApiClient ingest;
    static ApiClient query;
    static final Random random = new Random(5);
    static final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        postgres = new TestPostgres();
        int portA = TestSupport.freePort();
        List<String> seeds = List.of("pekko://analytics@127.0.0.1:" + portA);
        ingestNode = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("a"),
                Map.of("pekko.remote.artery.canonical.port", portA, "pekko.cluster.seed-nodes", seeds));
        // A small send buffer lets the stalled-client test back the socket up within kilobytes; frequent
        // pings let the SignalR test see an idle connection outlive the client's server timeout quickly.
        hubNode = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("b"),
                Map.of("pekko.cluster.seed-nodes", seeds, "pekko.http.server.socket-options.so-send-buffer-size", 4096,
                        "analytics.hub.keep-alive", "500ms", "analytics.hub.funnel-every", "1s"));
        ingest = new ApiClient(ingestNode.url(), TestNode.API_KEY);
        query = new ApiClient(hubNode.url(), TestNode.API_KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (hubNode != null) hubNode.close();
        if (ingestNode != null) ingestNode.close();
        if (kafka != null) kafka.close();
        if (postgres != null) postgres.close();
    }

    @Test
    @Order(1)
    void snapshotThenDeltasAcrossTheClusterIncludingALateCorrection() throws Exception {
        try (HubSubscriber hub = new HubSubscriber(hubNode.url(), TestNode.API_KEY)) {
            assertThat(hub.subscribe("[\"orders_per_minute\", {\"name\": \"revenue_by_country\", \"metric\": \"revenue\","
                    + " \"window\": \"1m\", \"group_by\": \"country\", \"last\": \"30m\"}]"))
                    .containsExactly("orders_per_minute", "revenue_by_country");
            JsonNode snapshot = hub.await(update("orders_per_minute"), Duration.ofSeconds(5), "first snapshot");
            assertThat(snapshot.get("mode").asText()).isEqualTo("snapshot");
            double before = snapshot.at("/data/summary/total").asDouble();

            long now = System.currentTimeMillis();
            assertThat(ingest.post(array(purchase(now, "DE", 10.0), purchase(now, "DE", 5.5), purchase(now, "US", 1.0))).status())
                    .isEqualTo(202);
            long accepted = System.nanoTime();
            JsonNode delta = hub.await(m -> update("orders_per_minute").test(m)
                    && m.at("/data/summary/total").asDouble() == before + 3, Duration.ofSeconds(5), "delta with 3 new orders");
            assertThat(delta.get("mode").asText()).isEqualTo("delta");
            assertThat(Duration.ofNanos(System.nanoTime() - accepted)).as("accepted → seen on the other node").isLessThan(Duration.ofSeconds(2));

            // An event three minutes late (within the allowed lateness) changes an old point: a delta carries it.
            long late = now - 3 * 60_000L;
            String lateMinute = Instant.ofEpochMilli(WindowSize.ONE_MINUTE.startOf(late)).toString();
            assertThat(ingest.post(array(purchase(late, "FR", 42.0))).status()).isEqualTo(202);
            JsonNode correction = hub.await(m -> update("revenue_by_country").test(m) && m.get("mode").asText().equals("delta")
                    && m.get("data").get("series").toString().contains(lateMinute), Duration.ofSeconds(5), "late correction");
            assertThat(correction.get("data").get("series").toString()).contains("\"FR\"");
            assertThat(hub.points("revenue_by_country")).containsEntry("FR|" + lateMinute, 42.0);

            // What the subscriber assembled from snapshot + deltas is what the metrics API answers.
            JsonNode range = correction.get("data");
            awaitEqual(hub, "revenue_by_country", Map.of("metric", "revenue", "window", "1m", "group_by", "country",
                    "start_time", range.get("start_time").asText(), "end_time", range.get("end_time").asText()));
        }
    }

    @Test
    @Order(2)
    void aBatchingClientGetsATicksUpdatesInOneMessageAndAssemblesTheSameValues() throws Exception {
        List<String> both = List.of("orders_per_minute", "revenue_per_minute");
        try (HubSubscriber hub = new HubSubscriber(hubNode.url(), TestNode.API_KEY, true)) {
            assertThat(hub.subscribe("[\"orders_per_minute\", \"revenue_per_minute\"]")).containsExactlyElementsOf(both);
            java.util.Set<String> snapshots = new java.util.HashSet<>();
            hub.await(m -> {
                assertThat(m.path("type").asText()).as("updates come only in metrics_updates").isNotEqualTo("metrics_update");
                snapshots.addAll(names(m));
                return snapshots.containsAll(both);
            }, Duration.ofSeconds(5), "snapshots of both series");

            // A purchase changes both series, evaluated in the same tick: their deltas share one message. (Should
            // the purchase become visible between the two series' queries, they straddle two ticks: buy again.)
            JsonNode batch = null;
            for (int attempt = 0; attempt < 3 && batch == null; attempt++) {
                assertThat(ingest.post(array(purchase(System.currentTimeMillis(), "DE", 7.0))).status()).isEqualTo(202);
                batch = hub.poll(m -> names(m).containsAll(both), Duration.ofSeconds(3));
            }
            assertThat(batch).as("both series' deltas in one metrics_updates").isNotNull();
            for (JsonNode update : batch.get("updates")) {
                assertThat(update.get("type").asText()).isEqualTo("metrics_update");
                assertThat(update.get("mode").asText()).isEqualTo("delta");
            }
            JsonNode range = batch.get("updates").get(0).get("data");
            awaitEqual(hub, "revenue_per_minute", Map.of("metric", "revenue", "window", "1m",
                    "start_time", range.get("start_time").asText(), "end_time", range.get("end_time").asText()));
        }
    }

    /** The series a {@code metrics_updates} message carries; none for any other message. */
    private static List<String> names(JsonNode message) {
        if (!message.path("type").asText().equals("metrics_updates")) {
            return List.of();
        }
        List<String> names = new java.util.ArrayList<>();
        message.get("updates").forEach(update -> names.add(update.get("name").asText()));
        return names;
    }

    @Test
    @Order(2)
    void serverSentEventsCarryTheSameUpdates() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(hubNode.url()
                + "/api/v1/stream/metrics.sse?series=revenue_per_minute&api_key=" + TestNode.API_KEY)).GET().build();
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        events.add(ApiClient.JSON.readTree(line.substring(5)));
                    }
                }
            } catch (Exception e) {
                // The test closed the stream.
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode first = events.poll(5, TimeUnit.SECONDS);
            assertThat(first).as("snapshot within 5 s").isNotNull();
            assertThat(first.get("mode").asText()).isEqualTo("snapshot");
            double total = first.at("/data/summary/total").asDouble();
            assertThat(ingest.post(array(purchase(System.currentTimeMillis(), "GB", 12.5))).status()).isEqualTo(202);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            JsonNode next;
            do {
                next = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(next).as("an update with the new revenue within 5 s").isNotNull();
            } while (next.at("/data/summary/total").asDouble() < total + 12.5 - 1e-9);
            assertThat(next.at("/data/summary/total").asDouble()).isCloseTo(total + 12.5, within(1e-6));
        } finally {
            response.body().close();
        }
        HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hubNode.url()
                + "/api/v1/stream/metrics.sse?series=nope&api_key=" + TestNode.API_KEY)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown series 'nope'").contains("orders_per_minute");
    }

    @Test
    @Order(3)
    void badSubscriptionsGetClearErrors() throws Exception {
        try (HubSubscriber hub = new HubSubscriber(hubNode.url(), TestNode.API_KEY)) {
            assertThat(hub.subscribe("[\"nope\", {\"metric\": \"events\", \"group_by\": \"shoe_size\"},"
                    + " {\"metric\": \"revenue\", \"last\": \"forever\"}, \"alerts\"]")).containsExactly("alerts");
            assertThat(hub.await(error(), Duration.ofSeconds(5), "unknown").get("message").asText())
                    .contains("unknown series 'nope'").contains("top_products_last_hour");
            assertThat(hub.await(error(), Duration.ofSeconds(5), "group_by").get("message").asText())
                    .contains("group_by").contains("shoe_size").contains("country");
            assertThat(hub.await(error(), Duration.ofSeconds(5), "last").get("message").asText()).contains("last:");
            JsonNode alerts = hub.await(update("alerts"), Duration.ofSeconds(5), "alerts snapshot");
            assertThat(alerts.get("data").get("alerts").isArray()).isTrue();
            hub.send("not json");
            assertThat(hub.await(error(), Duration.ofSeconds(5), "not json").get("message").asText()).contains("subscribe");
        }
        assertThat(catchStatus(() -> new HubSubscriber(hubNode.url(), "wrong-key"))).isEqualTo(401);
    }

    @Test
    @Order(4)
    void funnelTodayCountsTheUsersOfEachStep() throws Exception {
        long now = System.currentTimeMillis();
        long day = WindowSize.ONE_DAY.startOf(now);
        try (HubSubscriber hub = new HubSubscriber(hubNode.url(), TestNode.API_KEY)) {
            assertThat(hub.subscribe("[\"funnel_today\"]")).containsExactly("funnel_today");
            JsonNode snapshot = hub.await(update("funnel_today"), Duration.ofSeconds(10), "funnel snapshot");
            assertThat(snapshot.get("mode").asText()).isEqualTo("snapshot");
            assertThat(snapshot.at("/data/start_time").asText()).isEqualTo(Instant.ofEpochMilli(day).toString());
            assertThat(snapshot.at("/data/steps")).extracting(s -> s.get("step").asText()).containsExactly(JourneyTruth.FUNNEL);

            // Visits of today (never before midnight, never in the future) walking some way down the funnel.
            List<ObjectNode> visits = funnelVisits(Math.max(day, now - 20 * 60_000L), now);
            List<ObjectNode> shuffled = new java.util.ArrayList<>(visits);
            java.util.Collections.shuffle(shuffled, random);
            assertThat(ingest.post(array(shuffled.toArray(ObjectNode[]::new))).status()).isEqualTo(202);
            JourneyTruth.Funnel truth = new JourneyTruth(visits).funnel(day, day + 86_400_000L, 3_600_000L);
            assertThat(truth.users().get(JourneyTruth.FUNNEL.length - 1)).as("the scenario has conversions").isPositive();

            JsonNode counted = hub.await(m -> update("funnel_today").test(m) && usersPerStep(m).equals(truth.users()),
                    Duration.ofSeconds(30), "funnel_today showing " + truth.users());
            assertThat(counted.at("/data/median_time_to_convert_s").asDouble()).isCloseTo(truth.median(), within(1e-6));
            assertThat(counted.at("/data/conversion_window").asText()).isEqualTo("PT1H");
            // Recomputed every second, pushed only when it changed: nothing while no event arrives.
            hub.expectNone(update("funnel_today"), Duration.ofSeconds(3), "a funnel update without a change");
        }
    }

    private static List<Long> usersPerStep(JsonNode update) {
        List<Long> users = new java.util.ArrayList<>();
        update.at("/data/steps").forEach(step -> users.add(step.get("users").asLong()));
        return users;
    }

    /** 60 users, each one visit that goes a random number of steps deep, sometimes revisiting a page first. */
    private static List<ObjectNode> funnelVisits(long from, long to) {
        List<ObjectNode> events = new java.util.ArrayList<>();
        for (int u = 0; u < 60; u++) {
            long time = from + random.nextInt((int) Math.max(1, (to - from) / 2));
            int depth = 1 + random.nextInt(JourneyTruth.FUNNEL.length);
            for (int s = 0; s < depth && time <= to; s++) {
                String type = random.nextInt(6) == 0 ? "page_view" : JourneyTruth.FUNNEL[s];
                ObjectNode event = ApiClient.JSON.createObjectNode().put("event_id", "funnel-" + ids.incrementAndGet())
                        .put("event_type", type).put("timestamp", Instant.ofEpochMilli(time).toString()).put("user_id", "funnel-user-" + u);
                event.putObject("properties").put("country", "US");
                events.add(event);
                time += 1_000 + random.nextInt(30_000);
            }
        }
        return events;
    }

    @Test
    @Order(7)
    void theBenchmarksCountingSubscribersGetTheirSnapshotsAndCountEachDelta() throws Exception {
        URI stream = URI.create(hubNode.url().replace("http://", "ws://") + "/api/v1/stream/metrics");
        URI batchedStream = URI.create(stream + "?batch=true");
        try (HubSubscribers counting = new HubSubscribers(stream, TestNode.API_KEY, "[\"orders_per_minute\"]", 3, 1);
                HubSubscribers batched = new HubSubscribers(batchedStream, TestNode.API_KEY,
                        "[\"orders_per_minute\", \"revenue_per_minute\"]", 2, 2);
                HubSubscriber watcher = new HubSubscriber(hubNode.url(), TestNode.API_KEY)) {
            assertThat(counting.awaitReady(10, TimeUnit.SECONDS)).as("each of 3 counted its snapshot").isTrue();
            assertThat(batched.awaitReady(10, TimeUnit.SECONDS)).as("each of 2 batching ones counted both snapshots").isTrue();
            long countedInBatches = batched.updates();
            assertThat(watcher.subscribe("[\"orders_per_minute\"]")).containsExactly("orders_per_minute");
            double before = watcher.await(update("orders_per_minute"), Duration.ofSeconds(5), "snapshot")
                    .at("/data/summary/total").asDouble();
            long counted = counting.updates();

            assertThat(ingest.post(array(purchase(System.currentTimeMillis(), "NL", 3.0))).status()).isEqualTo(202);
            watcher.await(m -> update("orders_per_minute").test(m) && m.at("/data/summary/total").asDouble() > before,
                    Duration.ofSeconds(10), "the delta with the new order");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (counting.updates() < counted + 3 || batched.updates() < countedInBatches + 4) {
                assertThat(System.nanoTime()).as("each counting subscriber counts the delta too, a batching one each of"
                        + " the two series'").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    @Test
    @Order(6)
    void aStalledClientIsConflatedAndToldWhileOthersKeepUp() throws Exception {
        String subscribe = "{\"subscribe\": [\"orders_per_minute\", \"top_products_last_hour\", "
                + "{\"name\": \"by_product\", \"metric\": \"revenue\", \"window\": \"1m\", \"group_by\": \"product_id\", \"last\": \"1h\"}]}";
        AtomicBoolean feeding = new AtomicBoolean(true);
        Thread feeder = new Thread(() -> {
            while (feeding.get()) {
                ObjectNode[] batch = new ObjectNode[200];
                long now = System.currentTimeMillis();
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = purchase(now - random.nextInt(120_000), "US", 1 + random.nextInt(100));
                }
                TestSupport.unchecked(() -> ingest.post(array(batch)));
            }
        });
        try (StalledWebSocket stalled = new StalledWebSocket(hubNode.url(), "/api/v1/stream/metrics", TestNode.API_KEY);
                HubSubscriber healthy = new HubSubscriber(hubNode.url(), TestNode.API_KEY)) {
            stalled.sendText(subscribe);
            healthy.send(subscribe);
            feeder.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (stats().get("dropped_updates").asLong() == 0) {
                assertThat(System.nanoTime()).as("the stalled client's updates are conflated within 60 s").isLessThan(deadline);
                healthy.drain();
                Thread.sleep(100);
            }
            // The healthy client still receives deltas while the other one is stalled.
            healthy.await(m -> update("by_product").test(m) && m.get("mode").asText().equals("delta"),
                    Duration.ofSeconds(3), "a delta for the healthy client during the stall");
            feeding.set(false);
            feeder.join();

            boolean toldLagging = false;
            long readDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!toldLagging) {
                assertThat(System.nanoTime()).as("the stalled client reads a lagging notice").isLessThan(readDeadline);
                JsonNode message = ApiClient.JSON.readTree(stalled.readText());
                if (message.get("type").asText().equals("lagging")) {
                    toldLagging = true;
                    assertThat(message.get("dropped").asLong()).isPositive();
                    // Conflated updates are replaced by snapshots of the newest value.
                    JsonNode next = ApiClient.JSON.readTree(stalled.readText());
                    assertThat(next.get("type").asText()).isEqualTo("metrics_update");
                    assertThat(next.get("mode").asText()).isEqualTo("snapshot");
                }
            }
        } finally {
            feeding.set(false);
            feeder.join();
        }
    }

    @Test
    @Order(5)
    void theOfficialSignalRClientSubscribesAndReceivesUpdates() throws Exception {
        try (NodeScript client = new NodeScript("signalr-client.mjs", Map.of("SERVER_TIMEOUT_MS", "2000"),
                hubNode.url(), TestNode.API_KEY)) {
            client.await(event("started"), Duration.ofSeconds(20), "connection started");

            client.command("subscribe [[\"orders_per_minute\", \"funnel_yesterday\"]]");
            JsonNode result = client.await(event("subscribed"), Duration.ofSeconds(5), "Subscribe result").get("result");
            assertThat(result.get("subscribed")).extracting(JsonNode::asText).containsExactly("orders_per_minute");
            assertThat(result.get("rejected").get(0).get("message").asText()).contains("unknown series 'funnel_yesterday'");
            JsonNode snapshot = client.await(signalRUpdate("orders_per_minute"), Duration.ofSeconds(5), "snapshot").at("/update");
            assertThat(snapshot.get("mode").asText()).isEqualTo("snapshot");
            double before = snapshot.at("/data/summary/total").asDouble();

            client.command("subscribe [\"nope\"]");
            assertThat(client.await(event("invoke_error"), Duration.ofSeconds(5), "error").get("error").asText())
                    .contains("unknown series 'nope'");

            client.command("stream revenue_per_minute");
            JsonNode first = client.await(event("item"), Duration.ofSeconds(5), "first stream item").get("item");
            assertThat(first.get("name").asText()).isEqualTo("revenue_per_minute");
            double revenue = first.at("/data/summary/total").asDouble();

            assertThat(ingest.post(array(purchase(System.currentTimeMillis(), "US", 20.0),
                    purchase(System.currentTimeMillis(), "US", 2.5))).status()).isEqualTo(202);
            client.await(line -> signalRUpdate("orders_per_minute").test(line)
                    && line.at("/update/data/summary/total").asDouble() == before + 2, Duration.ofSeconds(5), "orders update");
            client.await(line -> event("item").test(line)
                    && line.at("/item/data/summary/total").asDouble() == revenue + 22.5, Duration.ofSeconds(5), "revenue stream item");

            // Idle for more than twice the client's server timeout: only the hub's pings keep it open.
            client.expectNone(event("closed"), Duration.ofSeconds(5), "the connection closing while idle");
            client.command("state");
            assertThat(client.await(event("state"), Duration.ofSeconds(2), "state").get("state").asText()).isEqualTo("Connected");

            client.command("stop");
            client.await(event("stopped"), Duration.ofSeconds(5), "clean stop");
            assertThat(client.waitFor(Duration.ofSeconds(5))).isZero();
        }
    }

    private static java.util.function.Predicate<JsonNode> signalRUpdate(String name) {
        return line -> event("update").test(line) && line.at("/update/name").asText().equals(name);
    }

    private static void awaitEqual(HubSubscriber hub, String series, Map<String, String> params) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            hub.drain();
            Map<String, Double> rest = HubSubscriber.restPoints(query.metrics(params).body());
            if (rest.equals(hub.points(series))) {
                return;
            }
            assertThat(System.nanoTime()).as("subscriber " + hub.points(series) + " equals metrics API " + rest).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static JsonNode stats() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(hubNode.url() + "/api/v1/stream/stats")).header("X-API-Key", TestNode.API_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return ApiClient.JSON.readTree(response.body());
    }

    private static int catchStatus(TestSupport.Call<?> connect) throws Exception {
        try {
            connect.call();
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
        throw new AssertionError("the connection was accepted");
    }

    private static java.util.function.Predicate<JsonNode> update(String name) {
        return m -> m.path("type").asText().equals("metrics_update") && m.path("name").asText().equals(name);
    }

    private static java.util.function.Predicate<JsonNode> error() {
        return m -> m.path("type").asText().equals("error");
    }

    static ObjectNode purchase(long time, String country, double amount) {
        ObjectNode event = ApiClient.JSON.createObjectNode();
        event.put("event_id", "live-" + ids.incrementAndGet());
        event.put("event_type", "purchase_completed");
        event.put("timestamp", Instant.ofEpochMilli(time).toString());
        event.put("user_id", "user-" + random.nextInt(500));
        event.putObject("properties").put("amount", amount).put("country", country)
                .put("product_id", "prod-" + random.nextInt(400)).put("currency", "USD");
        return event;
    }

    static String array(ObjectNode... events) throws Exception {
        ArrayNode array = ApiClient.JSON.createArrayNode();
        for (ObjectNode event : events) {
            array.add(event);
        }
        return ApiClient.JSON.writeValueAsString(array);
    }
}
