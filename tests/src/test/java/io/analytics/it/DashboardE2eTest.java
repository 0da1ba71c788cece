package io.analytics.it;

import static io.analytics.it.NodeScript.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.bench.LoadGenerator;
import io.analytics.node.AnalyticsNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard page in real headless Chromium against a running node: the key prompt, the live
 * connection, the charts and the top-products table updating within 2 seconds while the load
 * generator runs, screenshots at 1366×768 and phone width (kept in target/screenshots), a
 * reconnect after the connection drops, and the funnel panel showing today's five steps with users
 * at every step once the load generator's visits are recorded.
 */
class DashboardE2eTest {

    static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void theDashboardUpdatesLiveInABrowser() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        try (SingleNode platform = SingleNode.start(tmp, Map.of())) {
            AnalyticsNode node = platform.node;
            backfillTheLastHalfHour(new ApiClient(node.url(), TestNode.API_KEY));
            try (NodeScript browser = new NodeScript("dashboard-e2e.mjs", Map.of(), node.url(), TestNode.API_KEY,
                    SCREENSHOTS.toString())) {
                browser.await(event("ready"), Duration.ofSeconds(60), "the page connected");
                JsonNode shots = browser.await(event("screenshots"), Duration.ofSeconds(30), "screenshots");
                assertThat(shots.get("overflow").asInt()).as("no horizontal scrolling at phone width").isLessThanOrEqualTo(0);
                CompletableFuture<Integer> load = CompletableFuture.supplyAsync(() -> TestSupport.unchecked(() ->
                        LoadGenerator.run(new String[] {"--url", node.url(), "--api-key", TestNode.API_KEY, "--rate", "400",
                                "--duration", "10s", "--products", "40", "--quiet", "--drain-timeout", "20s"},
                                Map.of(), quiet(), quiet())));
                browser.command("load-started");
                ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
                for (int round = 1; round <= 3; round++) {
                    int r = round;
                    browser.await(line -> event("armed").test(line) && line.get("round").asInt() == r,
                            Duration.ofSeconds(10), "round " + round + " armed");
                    ObjectNode marker = LiveHubIntegrationTest.purchase(System.currentTimeMillis(), "US", 20_000 + round);
                    marker.with("properties").put("product_id", "marker-" + round);
                    assertThat(api.post(LiveHubIntegrationTest.array(marker)).status()).isEqualTo(202);
                    browser.command("sent");
                    JsonNode updated = browser.await(line -> event("updated").test(line) && line.get("round").asInt() == r,
                            Duration.ofSeconds(10), "charts and table show the marker, round " + round);
                    System.out.printf("[dashboard] round %d: charts and table showed the marker %d ms after it was accepted%n",
                            round, updated.get("millis").asLong());
                    assertThat(updated.get("millis").asLong()).as("update within 2 s").isLessThanOrEqualTo(2000);
                    assertThat(updated.at("/after/top").asText()).isNotEmpty();
                }
                browser.await(event("reconnected"), Duration.ofSeconds(20), "reconnect after the connection dropped");
                assertThat(load.get()).as("load generator exit code").isZero();
                browser.command("funnel");
                JsonNode shown = browser.await(event("funnel"), Duration.ofSeconds(40), "the funnel panel");
                assertThat(shown.get("steps")).extracting(JsonNode::asText)
                        .containsExactly("page view", "product view", "add to cart", "checkout started", "purchase completed");
                List<Long> users = new ArrayList<>();
                shown.get("users").forEach(n -> users.add(n.asLong()));
                assertThat(users).as("users per step of today's funnel, from the load generator's visits")
                        .hasSize(5).allMatch(n -> n > 0).isSortedAccordingTo(java.util.Comparator.reverseOrder());
                assertThat(browser.waitFor(Duration.ofSeconds(20))).isZero();
                assertThat(browser.seen()).noneMatch(event("page_error"));
            }
            assertThat(SCREENSHOTS.resolve("dashboard-1366x768.png")).isNotEmptyFile();
            assertThat(SCREENSHOTS.resolve("dashboard-phone.png")).isNotEmptyFile();
        }
    }

    /**
     * Purchases over the last 30 minutes, oldest first: each partition's watermark trails its newest
     * event by the allowed lateness, so events sent in time order all count and the charts have history.
     */
    private static void backfillTheLastHalfHour(ApiClient api) throws Exception {
        Random random = new Random(11);
        long now = System.currentTimeMillis();
        String[] countries = {"US", "DE", "FR", "GB", "JP", "BR", "IN", "ES"};
        for (int minute = 30; minute >= 1; minute--) {
            List<ObjectNode> batch = new ArrayList<>();
            int orders = 20 + random.nextInt(25) + (minute < 10 ? 15 : 0);
            for (int i = 0; i < orders; i++) {
                ObjectNode event = LiveHubIntegrationTest.purchase(now - minute * 60_000L + random.nextInt(60_000),
                        countries[Math.min(countries.length - 1, (int) Math.abs(random.nextGaussian() * 2.5))],
                        Math.round((10 + random.nextDouble() * 140) * 100) / 100.0);
                // The load generator's product ids, so that its purchases move the same table rows.
                event.with("properties").put("product_id", "prod_" + (int) Math.min(39, Math.abs(random.nextGaussian() * 8)));
                batch.add(event);
            }
            batch.sort((a, b) -> a.get("timestamp").asText().compareTo(b.get("timestamp").asText()));
            assertThat(api.post(LiveHubIntegrationTest.array(batch.toArray(ObjectNode[]::new))).status()).isEqualTo(202);
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }
}
