package io.analytics.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricSeries;
import java.time.Instant;
import java.util.List;

/** How metric values are written in every answer: money (and amounts) as a decimal, counts as integers, series as lists of points. */
public final class MetricValues {

    private MetricValues() {}

    public static void put(ObjectNode node, String field, Metric metric, double value) {
        if (metric == Metric.REVENUE || metric == Metric.AVG_ORDER_VALUE || metric == Metric.AMOUNT_PERCENTILES) {
            node.put(field, value);
        } else {
            node.put(field, (long) value);
        }
    }

    /** {@code "series": [{"key": …, "points": [{"window_start": …, "value": …, "count": …}]}]} */
    public static void putSeries(ObjectNode body, Metric metric, List<MetricSeries> series) {
        ArrayNode list = body.putArray("series");
        for (MetricSeries s : series) {
            ObjectNode item = list.addObject();
            item.put("key", s.key());
            ArrayNode points = item.putArray("points");
            for (MetricSeries.Point point : s.points()) {
                ObjectNode p = points.addObject();
                p.put("window_start", Instant.ofEpochMilli(point.windowStart()).toString());
                put(p, "value", metric, point.value());
                p.put("count", point.count());
            }
        }
    }
}
