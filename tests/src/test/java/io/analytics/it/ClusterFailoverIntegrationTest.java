package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster of {@code ./analytics node} processes on one broker and PostgreSQL schema, under a
 * steady load of about 300 events/s, while nodes leave: gracefully (SIGTERM: the node stops consuming,
 * hands its shards off and leaves the cluster), frozen (SIGSTOP, standing in for a network partition) and
 * killed (SIGKILL). A {@link FreshnessProbe} on a surviving node measures how long newly accepted events
 * take to show in its metrics API throughout; at the end every metric must equal the ground truth of the
 * acknowledged events.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ClusterFailoverIntegrationTest {

    private static final int EVENTS = 60_000;
    /** Of the raw topic, as NodeProcess creates it. */
    private static final int PARTITIONS = 4;
    /** Freshness counts as recovered once probes show within this lag again. */
    private static final Duration SMALL_LAG = Duration.ofSeconds(2);
    /**
     * The sessions-and-funnels recorder and the lake archiver are consumer groups of their own that no
     * metric depends on; on two shared cores they would only slow the nodes under test.
     */
    private static final Map<String, String> SETTINGS = Map.of(
            "analytics.cluster.join-timeout", "90s",
            "analytics.journeys.enabled", "false",
            "analytics.lake.archiver.enabled", "false");

    @TempDir
    Path tmp;

    /**
     * Restarts every node in turn, the oldest (which hosts the shard coordinator) last, each stopped
     * gracefully and started again, waiting for it to be ready before the next: what a Kubernetes rolling
     * update does. The client spreads its requests over all three nodes and retries whatever was not
     * acknowledged; the feeder fails on any answer but 202 and 503. It sends no acknowledged event again,
     * since each node dedupes only what it accepted itself (see the other test). While each node leaves,
     * freshness on a surviving node must stay under 5 s.
     */
    @Test
    void rollingRestartLosesNoAcknowledgedEventAndEachLeaveKeepsFreshnessUnderFiveSeconds() throws Exception {
        withThreeNodes((kafka, postgres, direct, ports, nodes) -> {
            ApiClient api = new ApiClient(nodes[0].url(), TestNode.API_KEY);
            api.baseUrls(urls(nodes));
            GroundTruth truth = new GroundTruth();
            Feeder feeder = new Feeder(api, truth, direct, "events.raw", 7001);
            feeder.resends = 0;
            CompletableFuture<Void> sending = feedSteadily(feeder, EventScenario.generate(7001, EVENTS, "roll"));
            TestSupport.awaitAcknowledged(truth, 1000, sending);
            List<Duration> leaves = new ArrayList<>();
            List<Duration> joins = new ArrayList<>();
            try (FreshnessProbe probe = new FreshnessProbe(nodes[0].url(), truth)) {
                for (int i = nodes.length - 1; i >= 0; i--) {
                    probe.url(nodes[(i + 1) % nodes.length].url());
                    assertThat(sending).as("the load is still running when node %d stops", i).isNotDone();
                    long stopping = System.nanoTime();
                    nodes[i].close();
                    long starting = System.nanoTime();
                    nodes[i] = NodeProcess.start(kafka, postgres, tmp.resolve("node" + i), ports.get(i), SETTINGS);
                    nodes[i].awaitReady();
                    long ready = System.nanoTime();
                    api.baseUrls(urls(nodes));
                    TestSupport.awaitAcknowledged(truth, truth.size() + 500, sending);
                    probe.awaitAllVisible();
                    leaves.add(probe.maxFreshness(stopping, starting));
                    joins.add(probe.maxFreshness(starting, System.nanoTime()));
                    System.out.printf("[cluster] node %d stopped in %.1f s, back and ready in %.1f s%n", i,
                            (starting - stopping) / 1e9, (ready - starting) / 1e9);
                }
                feeder.stop();
                sending.get(2, TimeUnit.MINUTES);
                probe.awaitAllVisible();
            }
            System.out.printf("[cluster] rolling restart: max freshness while leaving %s, while joining %s; %d events;"
                    + " %d answers 503, %d requests without answer, all retried%n",
                    leaves, joins, truth.size(), feeder.unavailable, feeder.noAnswer);
            MetricsAssertions.awaitCounted(api, truth.size());
            printPartitions(api, truth);
            MetricsAssertions.assertEveryMetric(api, truth);
            assertThat(leaves).as("max freshness while each node leaves").allMatch(gap -> gap.compareTo(Duration.ofSeconds(5)) < 0);
        });
    }

    /**
     * A network partition, then a crash. Node 2 is frozen (SIGSTOP) until the majority's split brain
     * resolver (keep-majority) downs it and takes its partitions and shards over; thawed, it finds itself
     * downed and must exit on its own rather than go on counting beside the majority. Then node 1 is
     * killed (SIGKILL) mid-stream: in a cluster of two, keep-majority keeps the side with the lowest
     * address, node 0. After each, freshness on node 0 must recover within 15 s.
     *
     * <p>SIGSTOP is an approximation of a partition: the frozen side does nothing while cut off, where a
     * partitioned node would go on running and down the others itself; what is tested is that the side
     * the resolver gave up stops once it runs again, and that nothing it did before or after corrupts the
     * majority's counts. A true partition on loopback would need iptables or network namespaces (root).
     *
     * <p>The client sends every event through node 0. Ingest dedupes event ids per node (the index of
     * ids each node accepted, rebuilt from the topic only when it starts), so a client retrying through
     * another node a request whose answer a dying node never sent could store its events twice.
     */
    @Test
    void theMinorityOfAPartitionStopsAndAHardKilledNodeFailsOverWithinFifteenSeconds() throws Exception {
        withThreeNodes((kafka, postgres, direct, ports, nodes) -> {
            ApiClient api = new ApiClient(nodes[0].url(), TestNode.API_KEY);
            GroundTruth truth = new GroundTruth();
            Feeder feeder = new Feeder(api, truth, direct, "events.raw", 7002);
            CompletableFuture<Void> sending = feedSteadily(feeder, EventScenario.generate(7002, EVENTS, "fail"));
            TestSupport.awaitAcknowledged(truth, 1000, sending);
            Duration partitionRecovery;
            Duration killRecovery;
            try (FreshnessProbe probe = new FreshnessProbe(nodes[0].url(), truth)) {
                long frozen = System.nanoTime();
                nodes[2].freeze();
                nodes[0].awaitOutput(removed(ports.get(2)), Duration.ofSeconds(60));
                nodes[2].thaw();
                assertThat(nodes[2].awaitExit(Duration.ofSeconds(60))).as("exit status of the downed node").isEqualTo(3);
                nodes[2].awaitOutput("the cluster stopped this node", Duration.ofSeconds(1));
                probe.awaitAllVisible();
                partitionRecovery = probe.recoveredAfter(frozen, SMALL_LAG);

                assertThat(sending).as("the load is still running at the kill").isNotDone();
                long killed = System.nanoTime();
                nodes[1].kill();
                nodes[0].awaitOutput(removed(ports.get(1)), Duration.ofSeconds(60));
                TestSupport.awaitAcknowledged(truth, truth.size() + 1000, sending);
                probe.awaitAllVisible();
                killRecovery = probe.recoveredAfter(killed, SMALL_LAG);
                feeder.stop();
                sending.get(2, TimeUnit.MINUTES);
                probe.awaitAllVisible();
            }
            System.out.printf("[cluster] freshness back to a lag under %s: %s after the freeze, %s after the kill; %d events%n",
                    SMALL_LAG, partitionRecovery, killRecovery, truth.size());
            MetricsAssertions.awaitCounted(api, truth.size());
            printPartitions(api, truth);
            MetricsAssertions.assertEveryMetric(api, truth);
            assertThat(killRecovery).as("freshness recovery after a hard kill").isLessThan(Duration.ofSeconds(15));
        });
    }

    /**
     * Per raw-topic partition, the events the test expects there (Kafka's default partitioner on the
     * ingest's record key) beside what its entity counted and its last offset: tells a lost or doubly
     * applied batch, and where, from a wrong total.
     */
    private static void printPartitions(ApiClient api, GroundTruth truth) throws Exception {
        Map<Integer, Long> expected = new TreeMap<>(truth.events().stream().collect(Collectors.groupingBy(event -> {
            String key = "demo/" + (event.hasNonNull("user_id") ? event.get("user_id") : event.get("event_id")).asText();
            return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
        }, Collectors.counting())));
        StringBuilder line = new StringBuilder("[cluster] partition: expected events / counted / last offset:");
        for (JsonNode partition : api.get("/api/v1/watermarks").body().path("partitions")) {
            int number = partition.path("partition").asInt();
            line.append(String.format(" %d: %d / %d / %d;", number, expected.getOrDefault(number, 0L),
                    partition.path("events").asLong(), partition.path("last_offset").asLong()));
        }
        System.out.println(line);
    }

    /** What a test does with the cluster: nodes it replaces in {@code nodes} are closed after it, too. */
    private interface Scenario {
        void run(EmbeddedKafka kafka, TestPostgres postgres, KafkaProducer<byte[], byte[]> direct, List<NodeProcess.Ports> ports,
                NodeProcess[] nodes) throws Exception;
    }

    /** Three nodes on a broker, a PostgreSQL schema and a producer of this test's own. */
    private void withThreeNodes(Scenario scenario) throws Exception {
        List<NodeProcess.Ports> ports = NodeProcess.Ports.cluster(3);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
                TestPostgres postgres = new TestPostgres();
                KafkaProducer<byte[], byte[]> direct = TestSupport.producer(kafka.bootstrapServers())) {
            NodeProcess[] nodes = startAll(kafka, postgres, ports);
            try {
                scenario.run(kafka, postgres, direct, ports, nodes);
            } finally {
                TestSupport.closeAll(nodes);
            }
        }
    }

    /** The line the surviving node logs once the resolver downed that node and the cluster removed it. */
    private static String removed(NodeProcess.Ports ports) {
        return "Node " + ports.address() + " was downed and removed";
    }

    /**
     * Starts node 0, the first seed, which forms the cluster and creates the tables and the demo project
     * (two nodes doing that at once can collide on the project's key), then the others at once.
     */
    private NodeProcess[] startAll(EmbeddedKafka kafka, TestPostgres postgres, List<NodeProcess.Ports> ports) throws Exception {
        List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
        starting.add(CompletableFuture.completedFuture(NodeProcess.start(kafka, postgres, tmp.resolve("node0"), ports.get(0), SETTINGS)));
        for (int i = 1; i < ports.size(); i++) {
            int node = i;
            starting.add(CompletableFuture.supplyAsync(() -> TestSupport.unchecked(() ->
                    NodeProcess.start(kafka, postgres, tmp.resolve("node" + node), ports.get(node), SETTINGS))));
        }
        NodeProcess[] nodes = new NodeProcess[ports.size()];
        try {
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = starting.get(i).get(5, TimeUnit.MINUTES);
            }
            for (NodeProcess node : nodes) {
                node.awaitReady();
            }
            return nodes;
        } catch (Exception | AssertionError e) {
            for (CompletableFuture<NodeProcess> node : starting) {
                node.thenAccept(started -> TestSupport.unchecked(() -> {
                    started.kill();
                    return null;
                }));
            }
            throw e;
        }
    }

    /** Feeds the events in batches of 50 with a pause after each, in the background, until stopped. */
    private static CompletableFuture<Void> feedSteadily(Feeder feeder, List<ObjectNode> events) {
        feeder.pause = Duration.ofMillis(100);
        return CompletableFuture.runAsync(() -> TestSupport.unchecked(() -> {
            feeder.feed(events, 50);
            return null;
        }));
    }

    private static List<String> urls(NodeProcess[] nodes) {
        return List.of(nodes).stream().map(NodeProcess::url).toList();
    }
}
