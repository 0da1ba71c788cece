package io.analytics.hub;

/**
 * A rule that holds for the last complete window: {@code value} is that window's, {@code reference}
 * the threshold or the baseline mean it was compared with.
 */
public record Alert(String rule, String series, AlertRule.Condition condition, long windowStart, double value,
        double reference, String message) {}
