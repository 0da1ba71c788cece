package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes form one cluster over the same Kafka and PostgreSQL. Two clients confirm the same order at
 * the same version, one through each node: sharding gives the order one writer, so exactly one command
 * wins and the other is answered 409, and the journal holds the event once.
 */
class TwoNodeOrdersIntegrationTest {

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void concurrentCommandsThroughTwoNodesOneWinsTheOtherConflicts() throws Exception {
        int portA = TestSupport.freePort();
        int portB = TestSupport.freePort();
        List<String> seeds = List.of("pekko://analytics@127.0.0.1:" + portA);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            AnalyticsNode a = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("a"),
                    Map.of("pekko.remote.artery.canonical.port", portA, "pekko.cluster.seed-nodes", seeds));
            AnalyticsNode b = null;
            try {
                b = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("b"),
                        Map.of("pekko.remote.artery.canonical.port", portB, "pekko.cluster.seed-nodes", seeds));
                for (int i = 0; i < 10; i++) {
                    String id = "race-" + i;
                    assertThat(post(a.url(), "/api/v1/orders", "{\"order_id\": \"" + id + "\", \"user_id\": \"u\", \"currency\": \"USD\", "
                            + "\"items\": [{\"product_id\": \"p\", \"quantity\": 1, \"price\": 3}]}")).isEqualTo(201);
                    String confirm = "/api/v1/orders/" + id + "/confirm";
                    String urlA = a.url();
                    String urlB = b.url();
                    CompletableFuture<Integer> viaA = CompletableFuture.supplyAsync(() -> TestSupport.unchecked(() -> post(urlA, confirm, "")));
                    CompletableFuture<Integer> viaB = CompletableFuture.supplyAsync(() -> TestSupport.unchecked(() -> post(urlB, confirm, "")));
                    assertThat(List.of(viaA.get(), viaB.get())).as(id).containsExactlyInAnyOrder(200, 409);
                    assertThat(postgres.count("SELECT count(*) FROM event_journal WHERE persistence_id = 'Order|demo/" + id + "'"))
                            .isEqualTo(2);
                }
            } finally {
                if (b != null) {
                    b.close();
                }
                a.close();
            }
        }
    }

    private int post(String base, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", TestNode.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (path.endsWith("/confirm")) {
            request.header("If-Match", "\"1\"");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }


}
