package io.analytics.stream.metrics;

import io.analytics.core.metric.CellDelta;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.MetricCell;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.WindowCells;
import io.analytics.core.window.Watermark;
import io.analytics.stream.CborSerializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link MetricPartition} holds: its position in the partition, its watermark, and every cell
 * not yet released to the read model ({@link WindowCells}: by series and window, so that queries,
 * closing and releasing windows touch only the windows concerned). Mutated only by the entity's
 * event handler.
 */
public final class MetricPartitionState {

    private long lastOffset;
    private Watermark watermark;
    private long closedThrough;
    private long releasedThrough;
    private long events;
    private long lateEvents;
    private final WindowCells cells = new WindowCells();

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
        return cells.size();
    }

    MetricPartitionState apply(MetricPartition.BatchApplied batch) {
        if (batch.rollUp()) {
            batch.deltas().forEach(cells::add);
        } else {
            batch.deltas().forEach(cells::addExactly);
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
        cells.releaseEndingBy(released.watermark());
        releasedThrough = Math.max(releasedThrough, released.watermark());
        return this;
    }

    /** Whether applying these deltas and moving the watermark to {@code watermark} closes a window not closed yet. */
    boolean hasCellsClosingAt(long watermark, List<CellDelta> deltas) {
        if (watermark <= closedThrough) {
            return false;
        }
        if (cells.hasWindowEndingIn(closedThrough, watermark)) {
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
        WindowCells closed = cells.copyEndingBy(closing);
        for (CellDelta delta : batch.deltas()) {
            if (delta.key().windowEnd() <= closing) {
                closed.add(delta);
            }
        }
        return closed.valuesEndingBy(closing);
    }

    List<CellValue> select(MetricQuery query) {
        return cells.select(query);
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
        List<CellDelta> deltas = new ArrayList<>();
        cells.forEach((key, cell) -> deltas.add(cell.toDelta(key)));
        return new Snapshot(lastOffset, watermark, closedThrough, releasedThrough, events, lateEvents, deltas);
    }

    static MetricPartitionState fromSnapshot(Snapshot snapshot) {
        MetricPartitionState state = new MetricPartitionState(
                snapshot.lastOffset(), snapshot.watermark(), snapshot.closedThrough(), snapshot.releasedThrough());
        state.events = snapshot.events();
        state.lateEvents = snapshot.lateEvents();
        for (CellDelta cell : snapshot.cells()) {
            state.cells.put(cell.key(), MetricCell.of(cell));
        }
        return state;
    }
}
