package io.analytics.core.metric;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.window.WindowSize;
import io.analytics.core.window.WindowSpec;

/**
 * One question to the metrics API: a metric over the windows of {@code window} whose start lies in
 * [{@code start}, {@code end}), optionally grouped by a dimension and, for metrics that
 * {@link Metric#takesEventType() take one}, restricted to one event type.
 */
public record MetricQuery(
        String projectId,
        Metric metric,
        WindowSpec window,
        long start,
        long end,
        Dimension groupBy,
        String eventType) {

    public MetricQuery {
        if (end <= start) {
            throw new IllegalArgumentException("end_time: must be after start_time");
        }
        groupBy = groupBy == null ? Dimension.NONE : groupBy;
        if (eventType != null && !metric.takesEventType()) {
            throw new IllegalArgumentException("event_type: applies only to metric=events and metric=amount_percentiles");
        }
    }

    /** Tumbling windows of one stored size. */
    public MetricQuery(String projectId, Metric metric, WindowSize window, long start, long end, Dimension groupBy,
            String eventType) {
        this(projectId, metric, WindowSpec.tumbling(window), start, end, groupBy, eventType);
    }

    /** The stored window size of the cells this query reads. */
    public WindowSize cellSize() {
        return window.base();
    }

    /** Cells starting in [{@link #cellsFrom()}, {@link #cellsTo()}) make up the windows asked for. */
    public long cellsFrom() {
        return window.firstStart(start);
    }

    public long cellsTo() {
        long lastStart = window.lastStart(end);
        return lastStart < cellsFrom() ? cellsFrom() : window.endOf(lastStart);
    }

    /** The event type of the cells this query reads. */
    public String cellEventType() {
        return switch (metric) {
            case EVENTS -> eventType == null ? CellKey.ALL_TYPES : eventType;
            case ORDERS, REVENUE, AVG_ORDER_VALUE -> AnalyticsEvent.PURCHASE;
            case AMOUNT_PERCENTILES -> eventType == null ? AnalyticsEvent.PURCHASE : eventType;
            case UNIQUE_USERS -> CellKey.ALL_TYPES;
            case LATE_EVENTS -> CellKey.LATE;
        };
    }

    /** Whether a cell is one this query reads. */
    public boolean selects(CellKey key) {
        return key.window() == cellSize()
                && key.windowStart() >= cellsFrom()
                && key.windowStart() < cellsTo()
                && key.dimension().equals(groupBy.name())
                && key.eventType().equals(cellEventType())
                && key.projectId().equals(projectId);
    }
}
