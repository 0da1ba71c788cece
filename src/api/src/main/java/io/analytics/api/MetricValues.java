package io.analytics.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.core.metric.Metric;

/** How a metric's value is written in every answer: money as a decimal, counts as integers. */
public final class MetricValues {

    private MetricValues() {}

    public static void put(ObjectNode node, String field, Metric metric, double value) {
        if (metric == Metric.REVENUE || metric == Metric.AVG_ORDER_VALUE) {
            node.put(field, value);
        } else {
            node.put(field, (long) value);
        }
    }
}
