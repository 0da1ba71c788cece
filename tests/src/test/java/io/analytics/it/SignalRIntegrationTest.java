package io.analytics.it;

import static io.analytics.it.NodeScript.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.analytics.node.AnalyticsNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code @microsoft/signalr} client, in Node.js, against the real node: negotiate, the
 * WebSocket handshake, {@code Subscribe} invocations with results and errors, {@code metricsUpdate}
 * calls as events arrive, a {@code StreamMetrics} stream, the server's pings keeping an idle
 * connection open past the client's server timeout, and a clean stop.
 */
class SignalRIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void theOfficialClientSubscribesAndReceivesUpdates() throws Exception {
        try (SingleNode platform = SingleNode.start(tmp, Map.of("analytics.hub.keep-alive", "500ms"))) {
            subscribeAndReceive(platform.node);
        }
    }

    private static void subscribeAndReceive(AnalyticsNode node) throws Exception {
        ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
        try (NodeScript client = new NodeScript("signalr-client.mjs", Map.of("SERVER_TIMEOUT_MS", "2000"),
                node.url(), TestNode.API_KEY)) {
            client.await(event("started"), Duration.ofSeconds(20), "connection started");

            client.command("subscribe [[\"orders_per_minute\", \"funnel_today\"]]");
            JsonNode result = client.await(event("subscribed"), Duration.ofSeconds(5), "Subscribe result").get("result");
            assertThat(result.get("subscribed")).extracting(JsonNode::asText).containsExactly("orders_per_minute");
            assertThat(result.get("rejected").get(0).get("message").asText()).contains("funnels not available");
            JsonNode snapshot = client.await(update("orders_per_minute"), Duration.ofSeconds(5), "snapshot").at("/update");
            assertThat(snapshot.get("mode").asText()).isEqualTo("snapshot");
            double before = snapshot.at("/data/summary/total").asDouble();

            client.command("subscribe [\"nope\"]");
            assertThat(client.await(event("invoke_error"), Duration.ofSeconds(5), "error").get("error").asText())
                    .contains("unknown series 'nope'");

            client.command("stream revenue_per_minute");
            JsonNode first = client.await(event("item"), Duration.ofSeconds(5), "first stream item").get("item");
            assertThat(first.get("name").asText()).isEqualTo("revenue_per_minute");
            double revenue = first.at("/data/summary/total").asDouble();

            assertThat(api.post(LiveHubIntegrationTest.array(
                    LiveHubIntegrationTest.purchase(System.currentTimeMillis(), "US", 20.0),
                    LiveHubIntegrationTest.purchase(System.currentTimeMillis(), "US", 2.5))).status()).isEqualTo(202);
            client.await(line -> update("orders_per_minute").test(line)
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

    private static java.util.function.Predicate<JsonNode> update(String name) {
        return line -> event("update").test(line) && line.at("/update/name").asText().equals(name);
    }
}
