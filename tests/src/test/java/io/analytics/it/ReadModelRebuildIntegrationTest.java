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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./analytics projections rebuild orders} rebuilds the order read models from the journal and
 * swaps them in without stopping the node: the rebuilt tables equal the live ones, also when commands
 * keep arriving during the rebuild.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReadModelRebuildIntegrationTest {

    private static final Map<String, String> TABLES = new LinkedHashMap<>(Map.of(
            "order_view", "project_id, order_id",
            "order_stats", "project_id, granularity, bucket_start, currency",
            "product_sales", "project_id, granularity, bucket_start, product_id, currency",
            "inventory", "project_id, product_id"));

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    private String base;

    @Test
    void rebuiltTablesEqualTheLiveOnes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), Map.of());
            try {
                base = node.url();
                for (int i = 0; i < 120; i++) {
                    placeOrder("a" + i, i);
                }
                awaitProjected(postgres);
                Map<String, List<String>> live = dump(postgres);
                assertThat(live.get("order_view")).hasSize(120);

                String output = TestSupport.runLauncher("projections", "rebuild", "orders", "--url", base,
                        "--api-key", TestNode.API_KEY);
                assertThat(output).contains("100%").contains("rebuilt from");
                assertThat(dump(postgres)).as("a rebuild of a quiet system changes nothing").isEqualTo(live);

                CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 80; i++) {
                        int n = i;
                        TestSupport.unchecked(() -> {
                            placeOrder("b" + n, n);
                            return null;
                        });
                    }
                });
                JsonNode progress = post("/api/v1/admin/projections/orders/rebuild", "", null, null).body();
                while (!progress.get("state").asText().equals("done")) {
                    assertThat(progress.get("state").asText()).as(progress.toString()).isNotEqualTo("failed");
                    Thread.sleep(50);
                    progress = get("/api/v1/admin/projections/orders/rebuild").body();
                }
                load.get(120, TimeUnit.SECONDS);
                awaitProjected(postgres);
                Map<String, List<String>> afterLoad = dump(postgres);
                assertThat(afterLoad.get("order_view")).hasSize(200);
                assertViewsMatchEntities(postgres);

                JsonNode again = post("/api/v1/admin/projections/orders/rebuild", "", null, null).body();
                while (!again.get("state").asText().equals("done")) {
                    Thread.sleep(50);
                    again = get("/api/v1/admin/projections/orders/rebuild").body();
                }
                assertThat(dump(postgres)).as("nothing lost or applied twice by the rebuild under load").isEqualTo(afterLoad);
            } finally {
                node.close();
            }
        }
    }

    /**
     * The node process is killed (SIGKILL) while orders flow and the projection is writing, then
     * started again: the read models catch up with every order exactly, which a fresh rebuild confirms.
     */
    @Test
    void aHardKillLosesNothingAndAppliesNothingTwice() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            java.util.Set<String> attempted = ConcurrentHashMap.newKeySet();
            NodeProcess first = startNodeProcess(kafka, postgres);
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                for (int i = 0; ; i++) {
                    attempted.add("k" + i);
                    try {
                        placeOrder("k" + i, i);
                    } catch (Throwable e) {
                        return;
                    }
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (versions.size() < 60) {
                assertThat(System.nanoTime()).as("60 orders placed within 60 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            first.kill();
            load.get(60, TimeUnit.SECONDS);

            NodeProcess second = startNodeProcess(kafka, postgres);
            try {
                versions.clear();
                for (String id : attempted) {
                    HttpResponse<String> order = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/orders/" + id))
                            .header("X-API-Key", TestNode.API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (order.statusCode() == 200) {
                        versions.put(id, ApiClient.JSON.readTree(order.body()).get("version").asLong());
                    }
                }
                awaitProjected(postgres);
                assertViewsMatchEntities(postgres);
                Map<String, List<String>> live = dump(postgres);
                JsonNode progress = post("/api/v1/admin/projections/orders/rebuild", "", null, null).body();
                while (!progress.get("state").asText().equals("done")) {
                    assertThat(progress.get("state").asText()).as(progress.toString()).isNotEqualTo("failed");
                    Thread.sleep(50);
                    progress = get("/api/v1/admin/projections/orders/rebuild").body();
                }
                assertThat(dump(postgres)).as("the live read models after the crash equal a rebuild from the journal").isEqualTo(live);
            } finally {
                second.close();
            }
        }
    }

    private NodeProcess startNodeProcess(EmbeddedKafka kafka, TestPostgres postgres) throws Exception {
        NodeProcess node = NodeProcess.start(kafka, postgres, tmp.resolve("node"), Map.of());
        base = node.url();
        return node;
    }

    /** An order taken through a path that depends on {@code n}: some cancelled, some paid, shipped, refunded. */
    private void placeOrder(String id, int n) throws Exception {
        String order = "/api/v1/orders/" + id;
        post("/api/v1/orders", "{\"order_id\": \"" + id + "\", \"user_id\": \"u" + (n % 7) + "\", \"currency\": \""
                + (n % 3 == 0 ? "EUR" : "USD") + "\", \"items\": [{\"product_id\": \"p" + (n % 5) + "\", \"quantity\": "
                + (1 + n % 3) + ", \"price\": 10.5}, {\"product_id\": \"p9\", \"quantity\": 1, \"price\": 2}]}", null, null);
        long version = 1;
        if (n % 4 != 0) {
            version = post(order + "/confirm", "", null, null).body().get("version").asLong();
        }
        if (n % 4 == 1) {
            version = post(order + "/cancel", "{\"reason\": \"changed mind\"}", null, null).body().get("version").asLong();
        }
        if (n % 4 >= 2) {
            String total = get(order).body().get("total").asText();
            post(order + "/pay", "{\"amount\": " + total + "}", null, null);
            version = post(order + "/payment-outcome", "{\"succeeded\": true}", null, null).body().get("version").asLong();
        }
        if (n % 4 == 3) {
            post(order + "/ship", "{}", null, null);
            version = post(order + "/refund", "{\"amount\": 2}", null, null).body().get("version").asLong();
        }
        versions.put(id, version);
    }

    /** Waits until the live projection has applied every event the test produced. */
    private void awaitProjected(TestPostgres postgres) throws Exception {
        long expected = versions.values().stream().mapToLong(Long::longValue).sum();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (postgres.count("SELECT coalesce(sum(version), 0) FROM order_view") != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("projection not caught up within 60 s: expected version sum " + expected + ", have "
                        + postgres.count("SELECT coalesce(sum(version), 0) FROM order_view") + " over "
                        + postgres.count("SELECT count(*) FROM order_view") + " orders (test knows " + versions.size()
                        + "); lag " + get("/api/v1/views/lag").body() + "; orders that differ: " + differences(postgres));
            }
            Thread.sleep(100);
        }
    }

    private String differences(TestPostgres postgres) throws Exception {
        List<String> differ = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(postgres.url(), TestPostgres.USER, ""); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT order_id, version, status FROM order_view")) {
            while (r.next()) {
                Long expected = versions.get(r.getString(1));
                if (expected == null || expected != r.getLong(2)) {
                    differ.add(r.getString(1) + " view v" + r.getLong(2) + " " + r.getString(3) + " entity v" + expected);
                }
            }
        }
        return differ.toString();
    }

    private void assertViewsMatchEntities(TestPostgres postgres) throws Exception {
        for (Map.Entry<String, Long> order : versions.entrySet()) {
            JsonNode view = get("/api/v1/views/orders/" + order.getKey()).body();
            JsonNode entity = get("/api/v1/orders/" + order.getKey()).body();
            assertThat(view.get("version").asLong()).isEqualTo(entity.get("version").asLong()).isEqualTo(order.getValue());
            assertThat(view.get("status").asText()).isEqualTo(entity.get("status").asText());
            assertThat(view.get("paid").decimalValue()).isEqualByComparingTo(entity.get("paid").decimalValue());
            assertThat(view.get("refunded").decimalValue()).isEqualByComparingTo(entity.get("refunded").decimalValue());
        }
    }

    private static Map<String, List<String>> dump(TestPostgres postgres) throws Exception {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(postgres.url(), TestPostgres.USER, ""); Statement s = c.createStatement()) {
            for (Map.Entry<String, String> table : TABLES.entrySet()) {
                List<String> rows = new ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT * FROM " + table.getKey() + " ORDER BY " + table.getValue())) {
                    ResultSetMetaData meta = r.getMetaData();
                    while (r.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            Object value = r.getObject(i);
                            row.append(value instanceof java.math.BigDecimal d ? d.stripTrailingZeros().toPlainString() : value).append('|');
                        }
                        rows.add(row.toString());
                    }
                }
                tables.put(table.getKey(), rows);
            }
        }
        return tables;
    }

    record Answer(int status, JsonNode body) {}

    private Answer post(String path, String body, String ifMatch, String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", TestNode.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", TestNode.API_KEY).GET().build());
    }

    private Answer send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(request.uri() + " " + response.body()).isLessThan(300);
        return new Answer(response.statusCode(), ApiClient.JSON.readTree(response.body()));
    }


}
