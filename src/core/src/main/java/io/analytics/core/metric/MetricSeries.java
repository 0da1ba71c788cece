package io.analytics.core.metric;

import java.util.List;

/** The answer for one group: its key (null when ungrouped or when events lack the dimension) and its points in time order. */
public record MetricSeries(String key, List<Point> points) {

    /**
     * Which layer of the Lambda architecture computed a point: the live layer (stream entities and
     * closed-window read model) or the batch layer (exact recomputation from the data lake).
     */
    public enum Layer {
        LIVE, BATCH;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One window's value; {@code percentiles} only for {@link Metric#AMOUNT_PERCENTILES}, whose value is the median. */
    public record Point(long windowStart, double value, long count, Percentiles percentiles, Layer layer) {

        public Point(long windowStart, double value, long count) {
            this(windowStart, value, count, null, Layer.LIVE);
        }

        public Point(long windowStart, double value, long count, Percentiles percentiles) {
            this(windowStart, value, count, percentiles, Layer.LIVE);
        }

        public Point(long windowStart, double value, long count, Layer layer) {
            this(windowStart, value, count, null, layer);
        }

        public Point withLayer(Layer layer) {
            return layer == this.layer ? this : new Point(windowStart, value, count, percentiles, layer);
        }
    }

    /**
     * Amount percentiles of one window, from a merged KLL sketch; each within
     * {@link AmountDistribution#RANK_ERROR} in rank. {@code count} is the number of amounts.
     */
    public record Percentiles(double p50, double p95, double p99, long count) {}
}
