package io.analytics.core.metric;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.window.Watermark;
import io.analytics.core.window.WindowSize;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pre-aggregates a run of consecutive records of one source partition into one delta per cell, so a
 * micro-batch of thousands of events becomes one journal write. Events are applied in offset order
 * against a watermark that advances with them; a window already closed when an event arrives does not
 * take it, and the event is counted as late.
 */
public final class PartitionBatch {

    private final List<Dimension> dimensions;
    private final long maxFutureSkewMillis;
    private final Map<CellKey, MetricCell> cells = new HashMap<>();
    private Watermark watermark;
    private long events;
    private long lateEvents;

    /**
     * @param dimensions the group-by dimensions to pre-aggregate, besides the ungrouped series
     * @param maxFutureSkewMillis how far ahead of the record's broker time an event may push the
     *     watermark; stops one producer with a wrong clock from closing every window
     */
    public PartitionBatch(List<Dimension> dimensions, Watermark start, long maxFutureSkewMillis) {
        this.dimensions = withUngrouped(dimensions);
        this.watermark = start;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
    }

    public void add(AnalyticsEvent event, long recordTimestamp) {
        events++;
        boolean late = false;
        for (WindowSize size : WindowSize.values()) {
            long windowStart = size.startOf(event.timestamp());
            if (watermark.isClosed(size, windowStart)) {
                late = true;
                continue;
            }
            addToWindow(event, size, windowStart);
        }
        if (late) {
            lateEvents++;
        }
        watermark = watermark.advance(Math.min(event.timestamp(), saturatedAdd(recordTimestamp, maxFutureSkewMillis)));
    }

    private void addToWindow(AnalyticsEvent event, WindowSize size, long windowStart) {
        Double amount = event.amount();
        for (Dimension dimension : dimensions) {
            String value = dimension.valueOf(event);
            cell(new CellKey(event.projectId(), size, windowStart, dimension.name(), value, event.eventType()))
                    .add(amount, null, false);
            cell(new CellKey(event.projectId(), size, windowStart, dimension.name(), value, CellKey.ALL_TYPES))
                    .add(amount, event.userId(), true);
        }
    }

    private MetricCell cell(CellKey key) {
        return cells.computeIfAbsent(key, k -> new MetricCell());
    }

    public List<CellDelta> deltas() {
        List<CellDelta> deltas = new ArrayList<>(cells.size());
        cells.forEach((key, cell) -> deltas.add(cell.toDelta(key)));
        return deltas;
    }

    public Watermark watermark() {
        return watermark;
    }

    public long events() {
        return events;
    }

    public long lateEvents() {
        return lateEvents;
    }

    private static List<Dimension> withUngrouped(List<Dimension> dimensions) {
        List<Dimension> all = new ArrayList<>();
        all.add(Dimension.NONE);
        dimensions.stream().filter(d -> !d.isNone()).distinct().forEach(all::add);
        return List.copyOf(all);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
