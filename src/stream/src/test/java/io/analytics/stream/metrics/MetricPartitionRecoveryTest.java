package io.analytics.stream.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.metric.CellDelta;
import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.MetricCell;
import io.analytics.core.metric.PartitionBatch;
import io.analytics.core.window.WindowSize;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A partition's entity driven through disordered and late events, snapshots and recoveries (through
 * its own serializer) holds, for every window it has not released, exactly what a naive roll-up of
 * the same batches gives: each delta merged into its own cell and every larger window's, one map
 * lookup each. The entity rolls deltas up along links between cells, and batches carry their small
 * cells' users and amounts as they came; neither may lose or double an event across a recovery.
 */
class MetricPartitionRecoveryTest {

    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final long BASE = 1_771_200_000_000L;
    private static final List<Dimension> DIMENSIONS = List.of(new Dimension("country"), new Dimension("product_id"));
    private static final String[] COUNTRIES = {"US", "DE", "FR"};
    private static final ActorTestKit testKit = ActorTestKit.create(
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void everyHeldWindowEqualsANaiveRollUpAcrossSnapshotsAndRecoveries() {
        EventSourcedBehaviorTestKit<MetricPartition.Command, MetricPartition.Event, MetricPartitionState> partition =
                EventSourcedBehaviorTestKit.create(testKit.system(),
                        MetricPartition.create("7", new MetricPartition.Settings(LATENESS, 5), new SimpleMeterRegistry()),
                        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
        partition.clear();
        SplittableRandom random = new SplittableRandom(20261122);
        Map<CellKey, MetricCell> naive = new HashMap<>();
        long offset = 0;
        long lateEvents = 0;

        for (int b = 0; b < 60; b++) {
            PartitionBatch batch = new PartitionBatch(DIMENSIONS, partition.getState().position().watermark(), Long.MAX_VALUE / 4);
            int size = 20 + random.nextInt(60);
            for (int i = 0; i < size; i++) {
                long time = BASE + b * 20_000L - random.nextLong(7 * 60_000L);
                batch.add(event(random, offset + i, time), time);
            }
            List<CellDelta> deltas = batch.deltas();
            deltas.forEach(delta -> rollUpNaively(naive, delta));
            lateEvents += batch.lateEvents();
            long from = offset;
            long to = offset + size - 1;
            MetricPartition.BatchReply reply = partition.<MetricPartition.BatchReply>runCommand(replyTo -> new MetricPartition.ApplyBatch(
                    from, to, batch.watermark(), batch.events(), batch.lateEvents(), deltas, List.of(), replyTo)).reply();
            assertThat(reply).isEqualTo(new MetricPartition.Applied(to));
            offset = to + 1;
            if (b % 7 == 6) {
                partition.restart();
            }
        }
        partition.restart();

        MetricPartitionState state = partition.getState();
        assertThat(lateEvents).as("the stream has late events").isPositive();
        assertThat(state.lastOffset()).isEqualTo(offset - 1);
        Map<CellKey, CellDelta> held = new HashMap<>();
        state.toSnapshot().cells().forEach(cell -> held.put(cell.key(), cell));
        int compared = 0;
        for (Map.Entry<CellKey, MetricCell> expected : naive.entrySet()) {
            CellKey key = expected.getKey();
            if (key.windowEnd() <= state.releasedThrough()) {
                assertThat(held).as("released %s", key).doesNotContainKey(key);
                continue;
            }
            assertThat(held).as("held %s", key).containsKey(key);
            assertSameCell(key, MetricCell.of(held.get(key)), expected.getValue());
            compared++;
        }
        assertThat(held).hasSize(compared);
        assertThat(compared).as("cells of every size compared").isGreaterThan(100);
        assertThat(held.keySet()).extracting(CellKey::window).contains(WindowSize.values());
    }

    private static void rollUpNaively(Map<CellKey, MetricCell> naive, CellDelta delta) {
        for (WindowSize size : WindowSize.values()) {
            if (size.ordinal() >= delta.key().window().ordinal()) {
                naive.computeIfAbsent(delta.key().resized(size), k -> new MetricCell()).merge(delta);
            }
        }
    }

    private static void assertSameCell(CellKey key, MetricCell actual, MetricCell expected) {
        assertThat(actual.value(key).count()).as("count of %s", key).isEqualTo(expected.value(key).count());
        assertThat(actual.amount()).as("amount of %s", key).isCloseTo(expected.amount(), within(1e-6));
        assertThat(actual.uniqueUsers()).as("users of %s", key).isEqualTo(expected.uniqueUsers());
        assertThat(actual.percentiles() == null ? null : actual.percentiles().count())
                .as("amounts of %s", key).isEqualTo(expected.percentiles() == null ? null : expected.percentiles().count());
    }

    private static AnalyticsEvent event(SplittableRandom random, long id, long time) {
        boolean purchase = random.nextInt(4) == 0;
        Map<String, Object> properties = new HashMap<>();
        properties.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
        properties.put("product_id", "prod_" + random.nextInt(25));
        if (purchase) {
            properties.put("amount", 1 + random.nextInt(50_000) / 100.0);
        }
        return new AnalyticsEvent("p", "e" + id, purchase ? AnalyticsEvent.PURCHASE : "page_view", time,
                "user_" + random.nextInt(150), null, properties, Map.of());
    }
}
