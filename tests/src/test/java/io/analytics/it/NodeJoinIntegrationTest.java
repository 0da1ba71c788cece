package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second node joins the cluster while events stream in: Kafka rebalances the raw topic's partitions
 * over both nodes' consumers and sharding may move partition entities, while records already read by
 * the first node are still in flight. Every metric must still equal the ground truth, asked of either node.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class NodeJoinIntegrationTest {

    private static final int EVENTS = 4000;

    @TempDir
    Path tmp;

    @Test
    void aNodeJoiningMidStreamTakesPartitionsAndEveryMetricStaysExact() throws Exception {
        int portA = TestSupport.freePort();
        int portB = TestSupport.freePort();
        List<String> seeds = List.of("pekko://analytics@127.0.0.1:" + portA);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
                TestPostgres postgres = new TestPostgres();
                KafkaProducer<byte[], byte[]> direct = TestSupport.producer(kafka.bootstrapServers());
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            AnalyticsNode a = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("a"),
                    Map.of("pekko.remote.artery.canonical.port", portA, "pekko.cluster.seed-nodes", seeds));
            AnalyticsNode b = null;
            try {
                ApiClient api = new ApiClient(a.url(), TestNode.API_KEY);
                GroundTruth truth = new GroundTruth();
                List<ObjectNode> events = EventScenario.generate(4242, EVENTS, "join");
                Feeder feeder = new Feeder(api, truth, direct, "events.raw", 4242);
                CountDownLatch joined = new CountDownLatch(1);
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> TestSupport.unchecked(() -> {
                    feeder.feed(events, 50, 2 * EVENTS / 3, joined);
                    return null;
                }));
                TestSupport.awaitAcknowledged(truth, EVENTS / 3, sending);

                b = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("b"),
                        Map.of("pekko.remote.artery.canonical.port", portB, "pekko.cluster.seed-nodes", seeds));
                awaitPartitionsSpreadOverTwoConsumers(admin);
                joined.countDown();
                sending.get(3, TimeUnit.MINUTES);
                assertThat(truth.size()).isEqualTo(EVENTS);

                MetricsAssertions.awaitAllCounted(api, truth);
                MetricsAssertions.assertEveryMetric(api, truth);
                JourneyTruth.awaitRecorded(postgres, truth.events());
                JourneyTruth.assertSessionsAndFunnels(api, truth.events(), MetricsAssertions.FROM, MetricsAssertions.TO);
                api.baseUrl(b.url());
                MetricsAssertions.assertEveryMetric(api, truth);
            } finally {
                if (b != null) {
                    b.close();
                }
                a.close();
            }
        }
    }

    /** Both nodes' consumers are members of the metrics group and each owns raw-topic partitions. */
    private static void awaitPartitionsSpreadOverTwoConsumers(Admin admin) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("analytics-metrics"))
                    .describedGroups().get("analytics-metrics").get(30, TimeUnit.SECONDS);
            seen = group.state() + " " + group.members();
            long owners = group.members().stream().map(MemberDescription::assignment)
                    .filter(assignment -> !assignment.topicPartitions().isEmpty()).count();
            if (owners == 2) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the raw topic's partitions never spread over two consumers: " + seen);
    }
}
