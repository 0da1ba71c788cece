package io.analytics.hub;

import io.analytics.core.metric.MetricSeries;
import io.analytics.core.window.WindowSize;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether an alert rule holds. Pure: the points of the rule's series and the time in, an
 * alert or nothing out. Only complete windows are judged, because the window in progress always
 * looks like a drop. Windows without events count as zero (the metrics API omits them).
 */
public final class AlertRules {

    private AlertRules() {}

    /**
     * @param points the ungrouped series of {@code rule.source()}, any order
     * @param now    the current time; the last complete window is the one before the window holding it
     */
    public static Optional<Alert> check(AlertRule rule, List<MetricSeries.Point> points, long now) {
        WindowSize window = rule.source().window();
        long latest = window.startOf(now) - window.millis();
        Map<Long, Double> values = new HashMap<>();
        long firstStart = Long.MAX_VALUE;
        for (MetricSeries.Point point : points) {
            values.put(point.windowStart(), point.value());
            firstStart = Math.min(firstStart, point.windowStart());
        }
        double value = values.getOrDefault(latest, 0.0);
        return switch (rule.condition()) {
            case BELOW -> value < rule.threshold()
                    ? alert(rule, latest, value, rule.threshold(), "below the floor of " + format(rule.threshold()))
                    : Optional.empty();
            case ABOVE -> value > rule.threshold()
                    ? alert(rule, latest, value, rule.threshold(), "above the ceiling of " + format(rule.threshold()))
                    : Optional.empty();
            case SPIKE, DROP -> relative(rule, values, firstStart, latest, value);
        };
    }

    /** Judged only with a full baseline of history, so that a series just starting is not a spike. */
    private static Optional<Alert> relative(AlertRule rule, Map<Long, Double> values, long firstStart, long latest,
            double value) {
        long step = rule.source().window().millis();
        long baselineStart = latest - rule.baseline() * step;
        if (firstStart > baselineStart) {
            return Optional.empty();
        }
        double sum = 0;
        for (long start = baselineStart; start < latest; start += step) {
            sum += values.getOrDefault(start, 0.0);
        }
        double mean = sum / rule.baseline();
        if (mean <= 0) {
            return Optional.empty();
        }
        boolean spike = rule.condition() == AlertRule.Condition.SPIKE;
        double limit = rule.factor() * mean;
        if (spike ? value <= limit : value >= limit) {
            return Optional.empty();
        }
        return alert(rule, latest, value, mean, String.format(Locale.ROOT, "%s %s× the mean of the previous %d windows (%s)",
                spike ? "over" : "under", format(rule.factor()), rule.baseline(), format(mean)));
    }

    private static Optional<Alert> alert(AlertRule rule, long windowStart, double value, double reference, String why) {
        String message = rule.source().name() + " was " + format(value) + " in the window from "
                + Instant.ofEpochMilli(windowStart) + ", " + why;
        return Optional.of(new Alert(rule.name(), rule.source().name(), rule.condition(), windowStart, value, reference, message));
    }

    private static String format(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
