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

    public record Point(long windowStart, double value, long count, Layer layer) {

        public Point(long windowStart, double value, long count) {
            this(windowStart, value, count, Layer.LIVE);
        }
    }
}
