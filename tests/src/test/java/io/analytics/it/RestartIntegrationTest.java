package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node is stopped while clients are still sending and started again on the same Kafka and
 * PostgreSQL state; clients retry what was not acknowledged. Nothing acknowledged may be lost, and
 * nothing replayed (by the consumer or by a client's retry) may be counted twice.
 */
class RestartIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void aRestartMidStreamLosesNothingAndCountsNothingTwice() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
                TestPostgres postgres = new TestPostgres();
                KafkaProducer<byte[], byte[]> direct = TestSupport.producer(kafka.bootstrapServers())) {
            Map<String, Object> snapshotOften = Map.of("analytics.metrics.snapshot-every", 3);
            AnalyticsNode first = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), snapshotOften);
            ApiClient api = new ApiClient(first.url(), TestNode.API_KEY);
            GroundTruth truth = new GroundTruth();
            List<ObjectNode> events = EventScenario.generate(1234, 4000, "restart");
            Feeder feeder = new Feeder(api, truth, direct, "events.raw", 99);

            java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    feeder.feed(events, 100, events.size() / 2, stopped);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            TestSupport.awaitAcknowledged(truth, events.size() / 3, sending);
            assertThat(MetricsAssertions.awaitCounted(api, events.size() / 4)).isGreaterThanOrEqualTo(events.size() / 4);
            assertThat(sending).as("clients are still sending when the node stops").isNotDone();
            first.close();
            stopped.countDown();
            assertThat(postgres.count("SELECT count(*) FROM snapshot")).as("the restart recovers from snapshots").isPositive();

            AnalyticsNode second = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), snapshotOften);
            try {
                api.baseUrl(second.url());
                sending.get(3, TimeUnit.MINUTES);
                assertThat(feeder.retries).as("requests interrupted by the restart were retried").isPositive();
                assertThat(truth.size()).isEqualTo(events.size());

                MetricsAssertions.awaitAllCounted(api, truth);
                MetricsAssertions.assertEveryMetric(api, truth);
                JourneyTruth.awaitRecorded(postgres, truth.events());
                JourneyTruth.assertSessionsAndFunnels(api, truth.events(), MetricsAssertions.FROM, MetricsAssertions.TO);
            } finally {
                second.close();
            }
        }
    }
}
