package io.analytics.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Readiness of a real one-node Pekko cluster, with lag measurements the test chooses. */
class ReadinessTest {

    private static final Instant NOW = Instant.parse("2026-02-16T10:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofSeconds(6);

    private ActorSystem<Void> system;
    private final AtomicReference<ConsumerLag.Snapshot> lag = new AtomicReference<>(ConsumerLag.Snapshot.NONE);
    private Readiness readiness;

    @BeforeEach
    void start() {
        system = ActorSystem.create(Behaviors.empty(), "readiness", ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "pekko.loglevel", "WARNING"))
                .withFallback(ConfigFactory.load()));
        readiness = new Readiness(system, lag::get, 100, STALE_AFTER, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void notReadyBeforeJoiningEvenWhenConsumingAndCaughtUp() throws Exception {
        lag.set(snapshot(NOW, 1, Map.of(0, 0L)));
        Readiness.Report before = readiness.check();
        assertThat(before.ready()).isFalse();
        assertThat(failed(before)).containsExactly("cluster");

        joinSelf();
        assertThat(readiness.check().ready()).isTrue();
    }

    @Test
    void notReadyUntilTheConsumerHasJoinedItsGroupAndIsCaughtUp() throws Exception {
        joinSelf();
        assertThat(failed(readiness.check())).containsExactly("consumer", "lag");

        lag.set(new ConsumerLag.Snapshot(NOW, new ConsumerProgress.Membership(false, 0), Map.of(), 0, Set.of()));
        assertThat(failed(readiness.check())).containsExactly("consumer");

        lag.set(snapshot(NOW, 2, Map.of(1, 0L)));
        Readiness.Report resuming = readiness.check();
        assertThat(failed(resuming)).containsExactly("consumer");
        assertThat(resuming.checks().get(1).detail()).isEqualTo("resuming 1 of 2 assigned partitions");

        lag.set(snapshot(NOW, 2, Map.of(0, 80L, 1, 21L)));
        Readiness.Report behind = readiness.check();
        assertThat(failed(behind)).containsExactly("lag");
        assertThat(behind.checks().get(2).detail()).startsWith("101 records behind");

        lag.set(snapshot(NOW, 2, Map.of(0, 80L, 1, 20L)));
        assertThat(readiness.check().ready()).isTrue();
    }

    @Test
    void aNodeTheGroupGaveNoPartitionIsReady() throws Exception {
        joinSelf();
        lag.set(snapshot(NOW, 0, Map.of()));
        assertThat(readiness.check().ready()).isTrue();
    }

    @Test
    void aNodeWithNoPartitionIsNotReadyWhileTheGroupLeavesPartitionsUnassigned() throws Exception {
        joinSelf();
        lag.set(new ConsumerLag.Snapshot(NOW, new ConsumerProgress.Membership(true, 0), Map.of(), 4, Set.of()));
        Readiness.Report settling = readiness.check();
        assertThat(failed(settling)).containsExactly("consumer");
        assertThat(settling.checks().get(1).detail()).isEqualTo("the group has not assigned 4 partitions to any member yet");
    }

    @Test
    void aConsumerIsNotReadyUntilItTakesUpThePartitionsTheGroupGaveIt() throws Exception {
        joinSelf();
        lag.set(new ConsumerLag.Snapshot(NOW, new ConsumerProgress.Membership(true, 0), Map.of(), 0, Set.of(0, 1, 2, 3)));
        Readiness.Report broker = readiness.check();
        assertThat(failed(broker)).containsExactly("consumer");
        assertThat(broker.checks().get(1).detail())
                .isEqualTo("the group assigned partitions [0, 1, 2, 3] to this consumer, which is not consuming them yet");

        lag.set(new ConsumerLag.Snapshot(NOW, new ConsumerProgress.Membership(true, 4), Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L), 0,
                Set.of(0, 1, 2, 3)));
        assertThat(readiness.check().ready()).isTrue();
    }

    @Test
    void aStaleMeasurementMeansNotReady() throws Exception {
        joinSelf();
        lag.set(snapshot(NOW.minus(STALE_AFTER).minusMillis(1), 1, Map.of(0, 0L)));
        Readiness.Report stale = readiness.check();
        assertThat(failed(stale)).containsExactly("consumer");
        assertThat(stale.checks().get(1).detail()).contains("broker reachable");
    }

    @Test
    void notReadyOnceShuttingDown() throws Exception {
        joinSelf();
        lag.set(snapshot(NOW, 1, Map.of(0, 0L)));
        assertThat(readiness.check().ready()).isTrue();

        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(failed(readiness.check())).containsExactly("cluster");
    }

    /** A measurement of a consumer in its group with {@code assigned} partitions, of which those in {@code lag} resumed. */
    private static ConsumerLag.Snapshot snapshot(Instant at, int assigned, Map<Integer, Long> lag) {
        return new ConsumerLag.Snapshot(at, new ConsumerProgress.Membership(true, assigned), lag, 0, lag.keySet());
    }

    private void joinSelf() throws InterruptedException {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        ClusterFormation.join(system, false, Duration.ofSeconds(30));
    }

    private static java.util.List<String> failed(Readiness.Report report) {
        return report.checks().stream().filter(c -> !c.ok()).map(Readiness.Check::name).toList();
    }
}
