package io.analytics.core.metric;

import io.analytics.core.window.WindowSize;

/**
 * One question to the metrics API: a metric over windows of one size whose start lies in
 * [{@code start}, {@code end}), optionally grouped by a dimension and, for {@link Metric#EVENTS},
 * restricted to one event type.
 */
public record MetricQuery(
        String projectId,
        Metric metric,
        WindowSize window,
        long start,
        long end,
        Dimension groupBy,
        String eventType) {

    public MetricQuery {
        if (end <= start) {
            throw new IllegalArgumentException("end_time: must be after start_time");
        }
        groupBy = groupBy == null ? Dimension.NONE : groupBy;
        if (eventType != null && metric != Metric.EVENTS) {
            throw new IllegalArgumentException("event_type: applies only to metric=events");
        }
    }

    /** The event type of the cells this query reads. */
    public String cellEventType() {
        return switch (metric) {
            case EVENTS -> eventType == null ? CellKey.ALL_TYPES : eventType;
            case ORDERS, REVENUE, AVG_ORDER_VALUE -> io.analytics.core.event.AnalyticsEvent.PURCHASE;
            case UNIQUE_USERS -> CellKey.ALL_TYPES;
        };
    }

    /** Whether a cell is one this query reads. */
    public boolean selects(CellKey key) {
        return key.window() == window
                && key.windowStart() >= start
                && key.windowStart() < end
                && key.dimension().equals(groupBy.name())
                && key.eventType().equals(cellEventType())
                && key.projectId().equals(projectId);
    }
}
