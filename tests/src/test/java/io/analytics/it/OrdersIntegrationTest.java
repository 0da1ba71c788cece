package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders through the public API with the journal in the real PostgreSQL: the state machine's rules,
 * optimistic concurrency, idempotent retries, the audit trail, time travel, and recovery after a
 * restart from snapshots plus events.
 */
class OrdersIntegrationTest {

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    record Answer(int status, JsonNode body, String etag) {}

    @Test
    void anOrdersLifeThroughTheApi() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            Map<String, Object> snapshotOften = Map.of("analytics.orders.snapshot-every", 2);
            AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), snapshotOften);
            String orderId;
            try {
                base = node.url();
                assertThat(post("/api/v1/orders", "{\"user_id\":\"u1\",\"currency\":\"USD\",\"items\":[]}", null, null).status())
                        .isEqualTo(422);
                Answer created = post("/api/v1/orders", """
                        {"user_id": "u1", "currency": "USD",
                         "items": [{"product_id": "p1", "quantity": 2, "price": 19.99}, {"product_id": "p2", "quantity": 1, "price": 5}]}""",
                        null, "create-1");
                assertThat(created.status()).isEqualTo(201);
                assertThat(created.etag()).isEqualTo("\"1\"");
                assertThat(created.body().get("total").decimalValue()).isEqualByComparingTo("44.98");
                orderId = created.body().get("order_id").asText();
                String order = "/api/v1/orders/" + orderId;

                assertThat(post(order + "/ship", "", null, null).status()).as("no shipping an unpaid order").isEqualTo(422);
                assertThat(post(order + "/confirm", "", "1", null).status()).isEqualTo(200);
                Answer stale = post(order + "/confirm", "", "1", null);
                assertThat(stale.status()).isEqualTo(409);
                assertThat(stale.body().get("current_version").asLong()).isEqualTo(2);

                Answer paid = post(order + "/pay", "{\"amount\": 44.98, \"method\": \"card\"}", "2", "pay-1");
                Answer retried = post(order + "/pay", "{\"amount\": 44.98, \"method\": \"card\"}", "2", "pay-1");
                assertThat(paid.status()).isEqualTo(200);
                assertThat(retried.status()).as("a retried command is answered, not refused").isEqualTo(200);
                assertThat(retried.body().get("version").asLong()).isEqualTo(3);

                post(order + "/payment-outcome", "{\"succeeded\": true, \"payment_id\": \"pay_9\"}", null, null);
                Answer tooMuch = post(order + "/refund", "{\"amount\": 50}", null, null);
                assertThat(tooMuch.status()).isEqualTo(422);
                assertThat(tooMuch.body().get("error").asText()).contains("44.98");
                assertThat(post(order + "/ship", "{\"carrier\": \"dhl\"}", "4", null).status()).isEqualTo(200);
                assertThat(post(order + "/refund", "{\"amount\": 4.98, \"reason\": \"late\"}", null, null).body().get("status").asText())
                        .isEqualTo("shipped");

                assertThat(concurrentConfirmsOfANewOrder()).containsExactlyInAnyOrder(200, 409);
            } finally {
                node.close();
            }

            AnalyticsNode restarted = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), snapshotOften);
            try {
                base = restarted.url();
                String order = "/api/v1/orders/" + orderId;
                Answer current = get(order);
                assertThat(current.body().get("version").asLong()).isEqualTo(6);
                assertThat(current.body().get("refunded").decimalValue()).isEqualByComparingTo("4.98");
                assertThat(postgres.count("SELECT count(*) FROM snapshot WHERE persistence_id LIKE 'Order|%'")).isPositive();

                JsonNode history = get(order + "/history").body().get("events");
                List<String> types = new ArrayList<>();
                history.forEach(e -> types.add(e.get("type").asText()));
                assertThat(types).containsExactly("OrderCreated", "OrderConfirmed", "PaymentRequested", "PaymentSucceeded",
                        "OrderShipped", "OrderRefunded");
                for (int i = 0; i < history.size(); i++) {
                    assertThat(history.get(i).get("sequence_number").asLong()).isEqualTo(i + 1);
                }
                assertThat(history.get(2).get("idempotency_key").asText()).isEqualTo("pay-1");
                assertThat(history.get(0).at("/payload/items/0/product_id").asText()).isEqualTo("p1");

                assertThat(get(order + "?version=2").body().get("status").asText()).isEqualTo("confirmed");
                assertThat(get(order + "?version=5").body().get("status").asText()).isEqualTo("shipped");
                Instant paidAt = Instant.parse(history.get(3).get("time").asText());
                JsonNode asOf = get(order + "?as_of=" + paidAt).body();
                assertThat(asOf.get("status").asText()).isEqualTo("paid");
                assertThat(asOf.get("version").asLong()).isEqualTo(4);
                assertThat(get(order + "?as_of=2000-01-01T00:00:00Z").status()).isEqualTo(404);

                assertReadModelsAfterRestart(orderId);
                assertPublishedToKafka(kafka.bootstrapServers(), orderId);
            } finally {
                restarted.close();
            }
        }
    }

    /**
     * A journal written by version 1 of the order schema, where {@code OrderCreated} had no currency, is
     * read by the current code: the entity recovers from it, and the event comes out upcast to v2.
     */
    @Test
    void v1JournalEntriesAreUpcastWhenRead() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), Map.of());
            try {
                base = node.url();
                String v1 = """
                        {"event": {"type": "OrderCreated", "orderId": "legacy-1", "userId": "u9",
                                   "items": [{"productId": "p1", "quantity": 3, "unitPrice": 2.50}],
                                   "at": "2025-01-10T09:00:00Z"},
                         "idempotencyKey": null}""";
                postgres.execute("INSERT INTO event_journal (persistence_id, sequence_number, deleted, writer, write_timestamp, "
                        + "adapter_manifest, event_ser_id, event_ser_manifest, event_payload) VALUES "
                        + "('Order|demo/legacy-1', 1, false, 'v1', 1736499600000, '', 31, "
                        + "'io.analytics.orders.OrderEntity$Recorded', convert_to('" + v1.replace("'", "''") + "', 'UTF8'))");

                Answer order = get("/api/v1/orders/legacy-1");
                assertThat(order.status()).isEqualTo(200);
                assertThat(order.body().get("currency").asText()).isEqualTo("USD");
                assertThat(order.body().get("total").decimalValue()).isEqualByComparingTo("7.50");
                assertThat(get("/api/v1/orders/legacy-1/history").body().at("/events/0/payload/currency").asText()).isEqualTo("USD");

                assertThat(post("/api/v1/orders/legacy-1/confirm", "", "1", null).status()).isEqualTo(200);
                assertThat(postgres.count("SELECT count(*) FROM event_journal WHERE persistence_id = 'Order|demo/legacy-1' "
                        + "AND event_ser_manifest = 'io.analytics.orders.OrderEntity$Recorded#2'"))
                        .as("new entries are written as v2").isEqualTo(1);

                Answer next = post("/api/v1/orders", """
                        {"user_id": "u9", "currency": "EUR", "items": [{"product_id": "p2", "quantity": 1, "price": 4}]}""",
                        null, null);
                String view = "/api/v1/views/orders/" + next.body().get("order_id").asText();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (get(view).status() != 200) {
                    assertThat(System.nanoTime())
                            .as("the read model goes on past the legacy order's confirmation, whose creation it never saw")
                            .isLessThan(deadline);
                    Thread.sleep(100);
                }
            } finally {
                node.close();
            }
        }
    }

    /**
     * The read models follow the journal exactly once, across the restart: counters that an event applied
     * twice would double are exact.
     */
    private void assertReadModelsAfterRestart(String orderId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Answer view = get("/api/v1/views/orders/" + orderId);
        while (view.status() != 200 || view.body().get("version").asLong() < 6) {
            assertThat(System.nanoTime()).as("read model caught up within 30 s: " + view.body()).isLessThan(deadline);
            Thread.sleep(100);
            view = get("/api/v1/views/orders/" + orderId);
        }
        assertThat(view.body().get("status").asText()).isEqualTo("shipped");
        assertThat(view.body().get("refunded").decimalValue()).isEqualByComparingTo("4.98");
        assertThat(view.body().at("/items/1/product").asText()).isEqualTo("p2");

        JsonNode ofUser = get("/api/v1/views/users/u1/orders").body().get("orders");
        assertThat(ofUser).hasSize(1);
        assertThat(ofUser.get(0).get("order_id").asText()).isEqualTo(orderId);

        JsonNode hours = get("/api/v1/views/order-stats?granularity=hour").body().get("buckets");
        assertThat(hours).hasSize(1);
        assertThat(hours.get(0).get("orders").asLong()).isEqualTo(1);
        assertThat(hours.get(0).get("revenue").decimalValue()).isEqualByComparingTo("44.98");
        assertThat(hours.get(0).get("refunds").decimalValue()).isEqualByComparingTo("4.98");
        assertThat(hours.get(0).get("average_order_value").decimalValue()).isEqualByComparingTo("44.98");
        assertThat(hours.get(0).get("top_product").asText()).isEqualTo("p1");

        JsonNode sales = get("/api/v1/views/product-sales").body().get("products");
        assertThat(sales).hasSize(2);
        assertThat(sales.get(0).get("product_id").asText()).isEqualTo("p1");
        assertThat(sales.get(0).get("units").asLong()).isEqualTo(2);
        assertThat(sales.get(0).get("revenue").decimalValue()).isEqualByComparingTo("39.98");

        JsonNode inventory = get("/api/v1/views/inventory").body().get("products");
        assertThat(inventory.toString()).contains("{\"product_id\":\"p1\",\"reserved\":0,\"sold\":2}")
                .contains("{\"product_id\":\"p\",\"reserved\":1,\"sold\":0}");

        JsonNode lag = get("/api/v1/views/lag").body().at("/projections/0");
        assertThat(lag.get("projection").asText()).isEqualTo("orders");
        assertThat(lag.get("events_handled").asLong()).isNotNegative();
    }

    /**
     * The paid order reached the analytics pipeline once (revenue in the spine's metrics), and every
     * order event is on the domain events topic, in journal order, with its sequence number.
     */
    private void assertPublishedToKafka(String bootstrapServers, String orderId) throws Exception {
        ApiClient api = new ApiClient(base, TestNode.API_KEY);
        Instant now = Instant.now();
        Map<String, String> revenueToday = Map.of("metric", "revenue", "window", "1d",
                "start_time", now.minus(Duration.ofDays(2)).toString(), "end_time", now.plus(Duration.ofDays(1)).toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        double revenue = 0;
        while (System.nanoTime() < deadline) {
            JsonNode series = api.metrics(revenueToday).body().get("series");
            revenue = 0;
            for (JsonNode s : series) {
                for (JsonNode point : s.get("points")) {
                    revenue += point.get("value").asDouble();
                }
            }
            if (revenue >= 44.98) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(revenue).as("orders placed through commands count in the metrics, once").isEqualTo(44.98);

        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", bootstrapServers);
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            var partitions = consumer.partitionsFor("orders.events").stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            java.util.TreeMap<Long, String> types = new java.util.TreeMap<>();
            long stop = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < stop) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode value = ApiClient.JSON.readTree(record.value());
                    if (value.get("order_id").asText().equals(orderId)) {
                        types.put(value.get("sequence_number").asLong(), value.at("/event/type").asText());
                    }
                }
            }
            assertThat(types.keySet()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(types.get(4L)).isEqualTo("PaymentSucceeded");
        }
    }

    /**
     * Random command sequences (a seeded generator, many rejected on purpose) through the API: for every
     * order, the entity's state equals the fold of its journal, rebuilt from snapshot plus events, and the
     * version equals the number of events journaled.
     */
    @Test
    void theFoldOfTheJournalEqualsTheEntityOverRandomCommands() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"),
                    Map.of("analytics.orders.snapshot-every", 3));
            try {
                base = node.url();
                java.util.Random random = new java.util.Random(20261121);
                String[] actions = {"confirm", "pay", "payment-outcome", "ship", "deliver", "cancel", "refund"};
                for (int o = 0; o < 30; o++) {
                    String id = "rnd-" + o;
                    post("/api/v1/orders", "{\"order_id\": \"" + id + "\", \"user_id\": \"u\", \"currency\": \"USD\", "
                            + "\"items\": [{\"product_id\": \"p\", \"quantity\": " + (1 + random.nextInt(3)) + ", \"price\": 7.25}]}", null, null);
                    for (int c = 0; c < 12; c++) {
                        String action = actions[random.nextInt(actions.length)];
                        String body = switch (action) {
                            case "pay" -> "{\"amount\": " + (random.nextBoolean() ? get("/api/v1/orders/" + id).body().get("total").asText() : "1") + "}";
                            case "payment-outcome" -> "{\"succeeded\": " + random.nextBoolean() + "}";
                            case "refund" -> "{\"amount\": " + (1 + random.nextInt(10)) + "}";
                            default -> "";
                        };
                        int status = post("/api/v1/orders/" + id + "/" + action, body, null, null).status();
                        assertThat(status).as(action).isIn(200, 422);
                    }
                    Answer entity = get("/api/v1/orders/" + id);
                    long version = entity.body().get("version").asLong();
                    assertThat(get("/api/v1/orders/" + id + "?version=" + version).body()).as(id).isEqualTo(entity.body());
                    assertThat(postgres.count("SELECT count(*) FROM event_journal WHERE persistence_id = 'Order|demo/" + id + "'"))
                            .isEqualTo(version);
                }
            } finally {
                node.close();
            }
        }
    }

    /** Two clients confirm the same fresh order at version 1 at once: one wins, the other is told of the conflict. */
    private List<Integer> concurrentConfirmsOfANewOrder() throws Exception {
        Answer created = post("/api/v1/orders",
                "{\"user_id\": \"u2\", \"currency\": \"EUR\", \"items\": [{\"product_id\": \"p\", \"quantity\": 1, \"price\": 1}]}", null, null);
        String confirm = "/api/v1/orders/" + created.body().get("order_id").asText() + "/confirm";
        CompletableFuture<Answer> a = CompletableFuture.supplyAsync(() -> TestSupport.unchecked(() -> post(confirm, "", "1", null)));
        CompletableFuture<Answer> b = CompletableFuture.supplyAsync(() -> TestSupport.unchecked(() -> post(confirm, "", "1", null)));
        return List.of(a.get().status(), b.get().status());
    }

    private Answer post(String path, String body, String ifMatch, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", TestNode.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) {
            request.header("If-Match", "\"" + ifMatch + "\"");
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request.build());
    }

    private Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", TestNode.API_KEY).GET().build());
    }

    private Answer send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), ApiClient.JSON.readTree(response.body()),
                response.headers().firstValue("ETag").orElse(null));
    }

}
