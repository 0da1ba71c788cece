package io.analytics.stream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.analytics.core.window.Watermark;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A partition's entity applies a batch only when it continues right after the last applied offset. A
 * consumer that resumed from a position the entity never reached (two streams of one partition around a
 * hand-off) would otherwise have the records in between skipped for good.
 */
class MetricPartitionSequenceTest {

    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final ActorTestKit testKit = ActorTestKit.create(
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

    private EventSourcedBehaviorTestKit<MetricPartition.Command, MetricPartition.Event, MetricPartitionState> partition;

    @BeforeEach
    void start() {
        partition = EventSourcedBehaviorTestKit.create(testKit.system(),
                MetricPartition.create("0", new MetricPartition.Settings(LATENESS, 100), new SimpleMeterRegistry()),
                EventSourcedBehaviorTestKit.disabledSerializationSettings());
        partition.clear();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aBatchThatLeavesOffsetsOutIsRefusedAndChangesNothing() {
        assertThat(apply(0, 9).reply()).isEqualTo(new MetricPartition.Applied(9));

        EventSourcedBehaviorTestKit.CommandResultWithReply<MetricPartition.Command, MetricPartition.Event, MetricPartitionState,
                MetricPartition.BatchReply> gap = apply(15, 20);
        assertThat(gap.reply()).isEqualTo(new MetricPartition.OutOfSequence(9));
        assertThat(gap.hasNoEvents()).isTrue();
        assertThat(gap.state().lastOffset()).isEqualTo(9);
    }

    @Test
    void anOverlappingBatchIsRefusedAndAReplayedOneAcknowledged() {
        apply(0, 9);

        assertThat(apply(5, 12).reply()).isEqualTo(new MetricPartition.OutOfSequence(9));
        EventSourcedBehaviorTestKit.CommandResultWithReply<MetricPartition.Command, MetricPartition.Event, MetricPartitionState,
                MetricPartition.BatchReply> replay = apply(0, 9);
        assertThat(replay.reply()).isEqualTo(new MetricPartition.Applied(9));
        assertThat(replay.hasNoEvents()).isTrue();
    }

    @Test
    void theNextBatchGoesOnFromTheLastAppliedOffset() {
        apply(0, 9);

        EventSourcedBehaviorTestKit.CommandResultWithReply<MetricPartition.Command, MetricPartition.Event, MetricPartitionState,
                MetricPartition.BatchReply> next = apply(10, 20);
        assertThat(next.reply()).isEqualTo(new MetricPartition.Applied(20));
        assertThat(next.state().lastOffset()).isEqualTo(20);
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<MetricPartition.Command, MetricPartition.Event, MetricPartitionState,
            MetricPartition.BatchReply> apply(long from, long to) {
        return partition.runCommand(replyTo -> new MetricPartition.ApplyBatch(from, to,
                Watermark.initial(LATENESS.toMillis()), to - from + 1, 0, List.of(), List.of(), replyTo));
    }
}
