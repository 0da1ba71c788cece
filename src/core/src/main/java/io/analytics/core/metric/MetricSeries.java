package io.analytics.core.metric;

import java.util.List;

/** The answer for one group: its key (null when ungrouped or when events lack the dimension) and its points in time order. */
public record MetricSeries(String key, List<Point> points) {

    public record Point(long windowStart, double value, long count) {}
}
