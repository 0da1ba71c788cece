package io.analytics.stream.metrics;

import io.analytics.core.metric.CellDelta;
import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.MetricCell;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.window.Watermark;
import io.analytics.stream.CborSerializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a {@link MetricPartition} holds: its position in the partition, its watermark, and every cell
 * not yet released to the read model, indexed by window end so that closing and releasing windows
 * touch only the windows concerned. Mutated only by the entity's event handler.
 */
public final class MetricPartitionState {

    private long lastOffset;
    private Watermark watermark;
    private long closedThrough;
    private long releasedThrough;
    private long events;
    private long lateEvents;
    private final NavigableMap<Long, Map<CellKey, MetricCell>> cellsByWindowEnd = new TreeMap<>();

    private MetricPartitionState(long lastOffset, Watermark watermark, long closedThrough, long releasedThrough) {
        this.lastOffset = lastOffset;
        this.watermark = watermark;
        this.closedThrough = closedThrough;
        this.releasedThrough = releasedThrough;
    }

    static MetricPartitionState empty(Watermark watermark) {
        return new MetricPartitionState(-1, watermark, Long.MIN_VALUE, Long.MIN_VALUE);
    }

    long lastOffset() {
        return lastOffset;
    }

    long releasedThrough() {
        return releasedThrough;
    }

    MetricPartition.Position position() {
        return new MetricPartition.Position(lastOffset, watermark);
    }

    MetricPartition.Progress progress(int partition, long idleMillis) {
        return new MetricPartition.Progress(partition, lastOffset, watermark, events, lateEvents, idleMillis);
    }

    /** How many cells the entity holds: what its memory grows with. */
    int cellCount() {
        return cellsByWindowEnd.values().stream().mapToInt(Map::size).sum();
    }

    MetricPartitionState apply(MetricPartition.BatchApplied batch) {
        for (CellDelta delta : batch.deltas()) {
            cellsEnding(delta.key().windowEnd()).computeIfAbsent(delta.key(), k -> new MetricCell()).merge(delta);
        }
        lastOffset = batch.toOffset();
        watermark = batch.watermark();
        events += batch.events();
        lateEvents += batch.lateEvents();
        return this;
    }

    MetricPartitionState close(MetricPartition.WindowsClosed closed) {
        closedThrough = Math.max(closedThrough, closed.watermark());
        return this;
    }

    MetricPartitionState release(MetricPartition.WindowsReleased released) {
        cellsByWindowEnd.headMap(released.watermark(), true).clear();
        releasedThrough = Math.max(releasedThrough, released.watermark());
        return this;
    }

    /** Whether applying these deltas and moving the watermark to {@code watermark} closes a window not closed yet. */
    boolean hasCellsClosingAt(long watermark, List<CellDelta> deltas) {
        if (watermark <= closedThrough) {
            return false;
        }
        if (!cellsByWindowEnd.subMap(closedThrough, false, watermark, true).isEmpty()) {
            return true;
        }
        return deltas.stream().anyMatch(d -> d.key().windowEnd() <= watermark);
    }

    /**
     * Final values of every window closed and not released once {@code batch} is applied: computed
     * here, in the command handler, on copies, because the state itself changes only when the event is.
     */
    List<CellValue> closedCellsAfter(MetricPartition.BatchApplied batch) {
        long closing = batch.watermark().value();
        Map<CellKey, MetricCell> closed = new HashMap<>();
        cellsByWindowEnd.headMap(closing, true).values()
                .forEach(cells -> cells.forEach((key, cell) -> closed.put(key, cell.copy(key))));
        for (CellDelta delta : batch.deltas()) {
            if (delta.key().windowEnd() <= closing) {
                closed.computeIfAbsent(delta.key(), k -> new MetricCell()).merge(delta);
            }
        }
        List<CellValue> values = new ArrayList<>(closed.size());
        closed.forEach((key, cell) -> values.add(cell.value(key)));
        return values;
    }

    List<CellValue> select(MetricQuery query) {
        List<CellValue> selected = new ArrayList<>();
        for (Map<CellKey, MetricCell> cells : cellsByWindowEnd.values()) {
            cells.forEach((key, cell) -> {
                if (query.selects(key)) {
                    selected.add(cell.value(key, query.metric()));
                }
            });
        }
        return selected;
    }

    private Map<CellKey, MetricCell> cellsEnding(long windowEnd) {
        return cellsByWindowEnd.computeIfAbsent(windowEnd, k -> new HashMap<>());
    }

    /** The immutable, serialisable form of the state. */
    public record Snapshot(
            long lastOffset,
            Watermark watermark,
            long closedThrough,
            long releasedThrough,
            long events,
            long lateEvents,
            List<CellDelta> cells)
            implements CborSerializable {}

    Snapshot toSnapshot() {
        List<CellDelta> cells = new ArrayList<>();
        cellsByWindowEnd.values().forEach(byKey -> byKey.forEach((key, cell) -> cells.add(cell.toDelta(key))));
        return new Snapshot(lastOffset, watermark, closedThrough, releasedThrough, events, lateEvents, cells);
    }

    static MetricPartitionState fromSnapshot(Snapshot snapshot) {
        MetricPartitionState state = new MetricPartitionState(
                snapshot.lastOffset(), snapshot.watermark(), snapshot.closedThrough(), snapshot.releasedThrough());
        state.events = snapshot.events();
        state.lateEvents = snapshot.lateEvents();
        for (CellDelta cell : snapshot.cells()) {
            state.cellsEnding(cell.key().windowEnd()).put(cell.key(), MetricCell.of(cell));
        }
        return state;
    }
}
