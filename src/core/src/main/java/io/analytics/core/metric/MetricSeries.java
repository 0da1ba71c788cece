package io.analytics.core.metric;

import java.util.List;

/** The answer for one group: its key (null when ungrouped or when events lack the dimension) and its points in time order. */
public record MetricSeries(String key, List<Point> points) {

    /** One window's value; {@code percentiles} only for {@link Metric#AMOUNT_PERCENTILES}, whose value is the median. */
    public record Point(long windowStart, double value, long count, Percentiles percentiles) {

        public Point(long windowStart, double value, long count) {
            this(windowStart, value, count, null);
        }
    }

    /**
     * Amount percentiles of one window, from a merged KLL sketch; each within
     * {@link AmountDistribution#RANK_ERROR} in rank. {@code count} is the number of amounts.
     */
    public record Percentiles(double p50, double p95, double p99, long count) {}
}
