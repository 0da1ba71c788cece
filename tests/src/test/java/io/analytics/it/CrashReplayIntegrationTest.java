package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill harness: a recorded stream is replayed into the platform while the node is killed hard
 * (SIGKILL) at random moments and started again, at least twenty times. Clients retry whatever was not
 * acknowledged, as real SDKs do. Afterwards every metric, window and grouping must equal the ground
 * truth computed from the acknowledged events: nothing acknowledged lost, nothing counted twice.
 *
 * <p>Kill points are drawn from the stream's progress (after a random share of each segment has been
 * acknowledged, plus a random delay), so they land in every phase a node goes through: recovering
 * entities from snapshots, resuming the consumers, catching up a backlog, persisting a batch, writing a
 * snapshot, deleting old events, the closed-windows projection writing to PostgreSQL.
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class CrashReplayIntegrationTest {

    private static final int KILLS = 22;
    private static final int EVENTS = 6000;
    private static final long SEED = 20261121L;
    /** The feeder holds the last events back until every kill is done, so no kill finds the stream over. */
    private static final int HOLD_AT = 5750;

    @TempDir
    Path tmp;

    @Test
    void everyMetricIsExactAfterTwentyHardKillsMidStream() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
                TestPostgres postgres = new TestPostgres();
                KafkaProducer<byte[], byte[]> direct = TestSupport.producer(kafka.bootstrapServers())) {
            Map<String, String> snapshotOften = Map.of("analytics.metrics.snapshot-every", "3",
                    "analytics.metrics.batch.max-delay", "50ms");
            NodeProcess node = NodeProcess.start(kafka, postgres, tmp.resolve("node"), snapshotOften);
            ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
            GroundTruth truth = new GroundTruth();
            List<ObjectNode> events = EventScenario.generate(SEED, EVENTS, "crash");
            Feeder feeder = new Feeder(api, truth, direct, "events.raw", SEED);
            CountDownLatch killsDone = new CountDownLatch(1);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> TestSupport.unchecked(() -> {
                feeder.feed(events, 50, HOLD_AT, killsDone);
                return null;
            }));

            Random random = new Random(SEED);
            List<Integer> killedAt = new ArrayList<>();
            try {
                for (int kill = 0; kill < KILLS; kill++) {
                    int segment = EVENTS / (KILLS + 1);
                    int threshold = kill * segment + random.nextInt(segment);
                    TestSupport.awaitAcknowledged(truth, threshold, sending);
                    Thread.sleep(random.nextInt(800));
                    assertThat(sending).as("the stream is still flowing at kill %d", kill + 1).isNotDone();
                    killedAt.add(truth.size());
                    node.kill();
                    long restart = System.nanoTime();
                    node = NodeProcess.start(kafka, postgres, tmp.resolve("node"), snapshotOften);
                    api.baseUrl(node.url());
                    System.out.printf("[crash-replay] kill %d at %d acknowledged events; back in %.1f s%n",
                            kill + 1, killedAt.get(kill), (System.nanoTime() - restart) / 1e9);
                }
                killsDone.countDown();
                sending.get(5, TimeUnit.MINUTES);
                System.out.println("[crash-replay] killed at acknowledged counts " + killedAt + "; client retries " + feeder.retries);

                assertThat(killedAt).hasSize(KILLS);
                assertThat(killedAt.get(KILLS - 1)).as("kills reach the end of the stream").isGreaterThan(EVENTS * 3 / 4);
                assertThat(feeder.retries).as("requests interrupted by the kills were retried").isPositive();
                assertThat(truth.size()).isEqualTo(events.size());
                assertThat(postgres.count("SELECT count(*) FROM snapshot")).as("recoveries started from snapshots").isPositive();
                MetricsAssertions.awaitAllCounted(api, truth);
                MetricsAssertions.assertEveryMetric(api, truth);
                JourneyTruth.awaitRecorded(postgres, truth.events());
                JourneyTruth.assertSessionsAndFunnels(api, truth.events(), MetricsAssertions.FROM, MetricsAssertions.TO);
            } finally {
                killsDone.countDown();
                node.close();
            }
        }
    }
}
