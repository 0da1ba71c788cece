package io.analytics.hub;

import java.util.Locale;

/**
 * One configured alert: a condition on the last complete window of an ungrouped live series.
 * {@code threshold} applies to {@link Condition#BELOW} and {@link Condition#ABOVE}; {@code factor} and
 * {@code baseline} (a number of windows) to {@link Condition#SPIKE} and {@link Condition#DROP}.
 */
public record AlertRule(String name, SeriesSpec.Timeline source, Condition condition, double threshold, double factor,
        int baseline) {

    public enum Condition {
        /** The value is under {@code threshold}. */
        BELOW,
        /** The value is over {@code threshold}. */
        ABOVE,
        /** The value is over {@code factor} × the mean of the {@code baseline} windows before it. */
        SPIKE,
        /** The value is under {@code factor} × the mean of the {@code baseline} windows before it. */
        DROP;

        public static Condition fromCode(String code) {
            try {
                return valueOf(code.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("alert condition must be below, above, spike or drop, got '" + code + "'");
            }
        }

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean relative() {
            return this == SPIKE || this == DROP;
        }
    }

    public AlertRule {
        if (!source.groupBy().isNone()) {
            throw new IllegalArgumentException("alert '" + name + "': series " + source.name() + " must not be grouped");
        }
        if (condition.relative() && (baseline < 1 || factor <= 0)) {
            throw new IllegalArgumentException("alert '" + name + "': " + condition.code() + " needs baseline >= 1 and factor > 0");
        }
    }
}
