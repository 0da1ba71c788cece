package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the broker is down, ingest answers 503 and acknowledges nothing; once it is back, the client's
 * retry is accepted, and every event is counted exactly once.
 */
class BrokerOutageIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void ingestAnswers503WhileKafkaIsDownAndLosesNothing() throws Exception {
        Path kafkaDir = tmp.resolve("kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0);
        int port = kafka.port();
        try (TestPostgres postgres = new TestPostgres()) {
            AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"),
                    Map.of("analytics.kafka.publish-timeout", "2s"));
            try {
                ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
                GroundTruth truth = new GroundTruth();
                List<ObjectNode> events = EventScenario.generate(5, 300, "outage");

                ApiClient.Response before = api.post(body(events.subList(0, 100)));
                assertThat(before.status()).isEqualTo(202);
                events.subList(0, 100).forEach(truth::accept);

                kafka.close();
                String during = body(events.subList(100, 200));
                ApiClient.Response refused = api.post(during);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.body().get("error").asText()).contains("Retry");

                kafka = EmbeddedKafka.start(kafkaDir, port);
                ApiClient.Response retried = retryUntilAccepted(api, during);
                assertThat(retried.body().get("accepted").asInt() + retried.body().get("duplicates").asInt()).isEqualTo(100);
                events.subList(100, 200).forEach(truth::accept);

                assertThat(api.post(body(events.subList(200, 300))).status()).isEqualTo(202);
                events.subList(200, 300).forEach(truth::accept);

                MetricsAssertions.awaitAllCounted(api, truth);
                MetricsAssertions.assertEveryMetric(api, truth);
            } finally {
                node.close();
            }
        } finally {
            kafka.close();
        }
    }

    private static ApiClient.Response retryUntilAccepted(ApiClient api, String body) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            ApiClient.Response response = api.post(body);
            if (response.status() == 202) {
                return response;
            }
            assertThat(response.status()).as(response.body().toString()).isEqualTo(503);
            assertThat(System.nanoTime()).as("accepted within 60 s of the broker's return").isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private static String body(List<ObjectNode> events) throws Exception {
        ArrayNode array = ApiClient.JSON.createArrayNode();
        events.forEach(array::add);
        return ApiClient.JSON.writeValueAsString(array);
    }
}
