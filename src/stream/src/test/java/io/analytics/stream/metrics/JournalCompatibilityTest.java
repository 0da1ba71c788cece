package io.analytics.stream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.metric.AmountDistribution;
import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricCell;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.PartitionBatch;
import io.analytics.core.window.Watermark;
import io.analytics.core.window.WindowSize;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and journal events written before cells carried an amounts sketch, closed windows before
 * they carried sketches at all, and batches before they were rolled up on apply, still read back
 * through the entity's own serializer: the new fields come back empty and the cell is otherwise intact.
 */
class JournalCompatibilityTest {

    private static ActorSystem<Void> system;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "journal-compatibility");
        serialization = SerializationExtension.get(system);
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    private static final Map<String, Object> KEY = Map.of("projectId", "p", "window", "ONE_MINUTE", "windowStart", 60_000,
            "dimension", "", "eventType", "purchase_completed");

    @Test
    void snapshotWithoutAmountsSketchReadsBack() throws Exception {
        MetricCell users = new MetricCell();
        users.addUser(42);
        byte[] usersSketch = users.toDelta(null).users();
        Map<String, Object> oldCell = Map.of("key", KEY, "count", 3, "amount", 30.5, "users", usersSketch);
        Map<String, Object> oldSnapshot = Map.of("lastOffset", 99, "watermark", Map.of("maxEventTime", 120_000, "allowedLateness", 0),
                "closedThrough", 60_000, "releasedThrough", 60_000, "events", 3, "lateEvents", 0, "cells", List.of(oldCell));

        MetricPartitionState.Snapshot snapshot = readAs(oldSnapshot, MetricPartitionState.Snapshot.class);

        assertThat(snapshot.cells()).hasSize(1);
        assertThat(snapshot.cells().get(0).amounts()).isNull();
        MetricPartitionState state = MetricPartitionState.fromSnapshot(snapshot);
        assertThat(state.position()).isEqualTo(new MetricPartition.Position(99, new Watermark(120_000, 0)));
        assertThat(state.cellCount()).isEqualTo(1);
        CellKey key = snapshot.cells().get(0).key();
        assertThat(key.window()).isEqualTo(WindowSize.ONE_MINUTE);
        assertThat(MetricCell.of(snapshot.cells().get(0)).value(key).count()).isEqualTo(3);
        assertThat(Math.round(MetricCell.of(snapshot.cells().get(0)).value(key).uniqueUsers())).isEqualTo(1);
    }

    @Test
    void closedWindowsWithoutSketchesReadBack() throws Exception {
        Map<String, Object> oldValue = Map.of("key", KEY, "count", 2, "amount", 10.0, "uniqueUsers", 2.0);
        MetricPartition.WindowsClosed closed = readAs(
                Map.of("partition", 3, "watermark", 120_000, "cells", List.of(oldValue)), MetricPartition.WindowsClosed.class);

        assertThat(closed.cells()).singleElement().satisfies(cell -> {
            assertThat(cell.uniqueUsers()).isEqualTo(2.0);
            assertThat(cell.users()).isNull();
            assertThat(cell.amounts()).isNull();
        });
    }

    @Test
    void batchesJournaledWithEverySizeAreNotRolledUpAgain() throws Exception {
        Map<String, Object> fiveMinutes = Map.of("projectId", "p", "window", "FIVE_MINUTES", "windowStart", 0,
                "dimension", "", "eventType", "purchase_completed");
        Map<String, Object> oldBatch = Map.of("fromOffset", 0, "toOffset", 1,
                "watermark", Map.of("maxEventTime", 60_000, "allowedLateness", 0), "events", 2, "lateEvents", 0,
                "deltas", List.of(Map.of("key", KEY, "count", 2, "amount", 20.0), Map.of("key", fiveMinutes, "count", 2, "amount", 20.0)));

        MetricPartition.BatchApplied batch = readAs(oldBatch, MetricPartition.BatchApplied.class);
        MetricPartitionState state = MetricPartitionState.empty(Watermark.initial(0)).apply(batch);

        assertThat(batch.rollUp()).isFalse();
        assertThat(state.cellCount()).as("the 1m and 5m cells as journaled, no 1h or 1d cell rolled up").isEqualTo(2);
        MetricQuery query = new MetricQuery("p", Metric.ORDERS, WindowSize.FIVE_MINUTES, 0, 300_000, null, null);
        assertThat(state.select(query)).singleElement().satisfies(cell -> assertThat(cell.count()).isEqualTo(2));
    }

    @Test
    void batchesCarryingUsersAndAmountsAsTheyCameRoundTrip() throws Exception {
        PartitionBatch aggregated = new PartitionBatch(List.of(), Watermark.initial(0), Long.MAX_VALUE / 4);
        for (int i = 0; i < 3; i++) {
            aggregated.add(new AnalyticsEvent("p", "e" + i, AnalyticsEvent.PURCHASE, 61_000 + i, "user_" + (i % 2), null,
                    Map.of("amount", 10.0 + i), Map.of()), 61_000 + i);
        }
        MetricPartition.BatchApplied batch = new MetricPartition.BatchApplied(0, 2, aggregated.watermark(), 3, 0,
                aggregated.deltas(), true);
        assertThat(batch.deltas()).anySatisfy(delta -> assertThat(delta.userHashes()).hasSize(2))
                .anySatisfy(delta -> assertThat(delta.amountValues()).containsExactly(10.0, 11.0, 12.0));

        var serializer = serialization.serializerFor(MetricPartition.BatchApplied.class);
        byte[] bytes = serialization.serialize(batch).get();
        var read = (MetricPartition.BatchApplied) serialization.deserialize(bytes, serializer.identifier(),
                MetricPartition.BatchApplied.class.getName()).get();

        MetricQuery query = new MetricQuery("p", Metric.UNIQUE_USERS, WindowSize.ONE_HOUR, 0, 3_600_000, null, null);
        CellValue recovered = MetricPartitionState.empty(Watermark.initial(0)).apply(read).select(query).get(0);
        assertThat(recovered.count()).isEqualTo(3);
        assertThat(Math.round(recovered.uniqueUsers())).isEqualTo(2);
        assertThat(AmountDistribution.fromBytes(MetricPartitionState.empty(Watermark.initial(0)).apply(read)
                .select(new MetricQuery("p", Metric.AMOUNT_PERCENTILES, WindowSize.ONE_HOUR, 0, 3_600_000, null,
                        AnalyticsEvent.PURCHASE)).get(0).amounts()).quantile(0.5)).isEqualTo(11.0);
    }

    /** Writes {@code old} with the serializer's own mapper and reads it back as {@code type}, as a recovery would. */
    private static <T> T readAs(Map<String, Object> old, Class<T> type) throws Exception {
        ObjectMapper cbor = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", java.util.Optional.empty());
        byte[] bytes = cbor.writeValueAsBytes(old);
        var serializer = serialization.serializerFor(type);
        Object read = serialization.deserialize(bytes, serializer.identifier(), type.getName()).get();
        assertThat(Serializers.manifestFor(serializer, read)).isEqualTo(type.getName());
        return type.cast(read);
    }
}
