package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of events, with duplicates, malformed events, events written straight to Kafka and events
 * out of order, through a node on a real Kafka broker with journal and read models in the real
 * PostgreSQL; every metric, window and grouping must equal what the test computes itself.
 */
class MetricsExactnessIntegrationTest {

    @TempDir
    static Path tmp;
    static SingleNode platform;
    static AnalyticsNode node;
    static TestPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        platform = SingleNode.start(tmp, Map.of());
        node = platform.node;
        postgres = platform.postgres;
    }

    @AfterAll
    static void stop() throws Exception {
        if (platform != null) platform.close();
    }

    @Test
    void everyMetricEqualsTheGroundTruth() throws Exception {
        ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
        GroundTruth truth = new GroundTruth();
        List<ObjectNode> events = EventScenario.generate(42, 4000, "exact");
        try (KafkaProducer<byte[], byte[]> direct = TestSupport.producer(platform.kafka.bootstrapServers())) {
            Feeder feeder = new Feeder(api, truth, direct, "events.raw", 7);
            feeder.feed(events, 250);
            assertThat(feeder.duplicatesSent).isGreaterThan(100);
            assertThat(feeder.malformedSent).isGreaterThan(30);
            assertThat(feeder.directSent).isGreaterThan(50);
        }
        assertThat(truth.size()).isEqualTo(events.size());

        MetricsAssertions.awaitAllCounted(api, truth);
        MetricsAssertions.assertEveryMetric(api, truth);

        assertThat(postgres.count("SELECT count(*) FROM metric_cells")).as("closed windows in the read model").isPositive();
        assertThat(postgres.count("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'MetricPartition|%'"))
                .as("metric entities journaled in PostgreSQL").isPositive();
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
        assertThat(api.post("[]", null).status()).isEqualTo(401);
        assertThat(api.post("[]", "wrong").status()).isEqualTo(401);
        ApiClient.Response notJson = api.post("{nope");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body().get("error").asText()).contains("not valid JSON");
        assertThat(api.post("42").status()).isEqualTo(400);
        ApiClient.Response badMetric = api.metrics(Map.of("metric", "nope", "window", "1m"));
        assertThat(badMetric.status()).isEqualTo(400);
        assertThat(badMetric.body().get("error").asText()).contains("metric:").contains("events");
        ApiClient.Response badGroup = api.metrics(Map.of("metric", "events", "window", "1m", "group_by", "shoe_size"));
        assertThat(badGroup.status()).isEqualTo(400);
        assertThat(badGroup.body().get("error").asText()).contains("group_by").contains("country");
    }
}
