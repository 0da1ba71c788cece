package io.analytics.core.metric;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The metrics the query API computes from cells. */
public enum Metric {
    EVENTS("events"),
    ORDERS("orders"),
    REVENUE("revenue"),
    AVG_ORDER_VALUE("avg_order_value"),
    UNIQUE_USERS("unique_users");

    private final String code;

    Metric(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Unique users come from a HyperLogLog sketch; every other metric is exact. */
    public boolean approximate() {
        return this == UNIQUE_USERS;
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
