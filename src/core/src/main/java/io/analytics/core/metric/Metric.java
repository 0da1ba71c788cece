package io.analytics.core.metric;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The metrics the query API computes from cells. */
public enum Metric {
    EVENTS("events"),
    ORDERS("orders"),
    REVENUE("revenue"),
    AVG_ORDER_VALUE("avg_order_value"),
    UNIQUE_USERS("unique_users"),
    /** Events beyond the allowed lateness, by the window in which they arrived. */
    LATE_EVENTS("late_events"),
    /** p50, p95 and p99 of {@code properties.amount} (of purchases unless another event type is asked). */
    AMOUNT_PERCENTILES("amount_percentiles");

    private final String code;

    Metric(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Unique users and percentiles come from sketches; every other metric is exact. */
    public boolean approximate() {
        return this == UNIQUE_USERS || this == AMOUNT_PERCENTILES;
    }

    /** Whether the metric of a union of cells is the sum of their metrics, so totals over windows can be added. */
    public boolean additive() {
        return this == EVENTS || this == ORDERS || this == REVENUE || this == LATE_EVENTS;
    }

    /** Whether {@code event_type} narrows the metric. */
    public boolean takesEventType() {
        return this == EVENTS || this == AMOUNT_PERCENTILES;
    }

    public static Metric fromCode(String code) {
        for (Metric metric : values()) {
            if (metric.code.equals(code)) {
                return metric;
            }
        }
        throw new IllegalArgumentException("metric: must be one of " + codes() + ", got '" + code + "'");
    }

    public static String codes() {
        return Arrays.stream(values()).map(Metric::code).collect(Collectors.joining(", "));
    }
}
