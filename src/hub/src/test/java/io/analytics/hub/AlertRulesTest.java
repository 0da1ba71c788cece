package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricSeries.Point;
import io.analytics.core.window.WindowSize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

    static final long MINUTE = 60_000L;
    /** 10:30:20 on some day: the last complete window is 10:29. */
    static final long NOW = WindowSize.ONE_DAY.startOf(1_771_200_000_000L) + 10 * 60 * MINUTE + 30 * MINUTE + 20_000;
    static final long LAST_COMPLETE = WindowSize.ONE_MINUTE.startOf(NOW) - MINUTE;
    static final SeriesSpec.Timeline ORDERS = new SeriesSpec.Timeline("orders_per_minute", Metric.ORDERS,
            WindowSize.ONE_MINUTE, null, null, new LiveRange.Last(Duration.ofHours(1)), null);

    @Test
    void belowJudgesTheLastCompleteWindowNotTheOneInProgress() {
        AlertRule floor = new AlertRule("floor", ORDERS, AlertRule.Condition.BELOW, 5, 0, 0);
        List<Point> points = List.of(new Point(LAST_COMPLETE, 3, 3), new Point(LAST_COMPLETE + MINUTE, 0.5, 1));
        Alert alert = AlertRules.check(floor, points, NOW).orElseThrow();
        assertThat(alert.value()).isEqualTo(3);
        assertThat(alert.windowStart()).isEqualTo(LAST_COMPLETE);
        assertThat(alert.message()).contains("orders_per_minute was 3").contains("below the floor of 5");
        assertThat(AlertRules.check(floor, List.of(new Point(LAST_COMPLETE, 5, 5)), NOW)).isEmpty();
    }

    @Test
    void aWindowWithoutEventsCountsAsZero() {
        AlertRule floor = new AlertRule("floor", ORDERS, AlertRule.Condition.BELOW, 1, 0, 0);
        assertThat(AlertRules.check(floor, List.of(new Point(LAST_COMPLETE - MINUTE, 9, 9)), NOW)).isPresent();
        AlertRule ceiling = new AlertRule("ceiling", ORDERS, AlertRule.Condition.ABOVE, 8, 0, 0);
        assertThat(AlertRules.check(ceiling, List.of(new Point(LAST_COMPLETE, 9, 9)), NOW).orElseThrow().message())
                .contains("above the ceiling of 8");
    }

    @Test
    void spikeAndDropCompareWithTheMeanOfTheBaseline() {
        AlertRule spike = new AlertRule("spike", ORDERS, AlertRule.Condition.SPIKE, 0, 3, 4);
        AlertRule drop = new AlertRule("drop", ORDERS, AlertRule.Condition.DROP, 0, 0.5, 4);
        List<Point> steady = baseline(10, 4);
        assertThat(AlertRules.check(spike, with(steady, 31), NOW).orElseThrow().reference()).isEqualTo(10);
        assertThat(AlertRules.check(spike, with(steady, 30), NOW)).isEmpty();
        assertThat(AlertRules.check(drop, with(steady, 4), NOW).orElseThrow().message()).contains("under 0.5× the mean");
        assertThat(AlertRules.check(drop, with(steady, 5), NOW)).isEmpty();
    }

    @Test
    void relativeRulesWaitForAFullBaselineOfHistory() {
        AlertRule spike = new AlertRule("spike", ORDERS, AlertRule.Condition.SPIKE, 0, 3, 4);
        assertThat(AlertRules.check(spike, with(baseline(10, 3), 100), NOW)).as("only 3 of 4 baseline windows").isEmpty();
        assertThat(AlertRules.check(spike, with(List.of(), 100), NOW)).as("no history").isEmpty();
        List<Point> sparse = List.of(new Point(LAST_COMPLETE - 4 * MINUTE, 4, 4));
        assertThat(AlertRules.check(spike, with(sparse, 4), NOW)).as("mean 1 with empty minutes as zero").isPresent();
    }

    private static List<Point> baseline(double value, int windows) {
        List<Point> points = new ArrayList<>();
        for (int i = 1; i <= windows; i++) {
            points.add(new Point(LAST_COMPLETE - i * MINUTE, value, (long) value));
        }
        return points;
    }

    private static List<Point> with(List<Point> baseline, double latest) {
        List<Point> points = new ArrayList<>(baseline);
        points.add(new Point(LAST_COMPLETE, latest, (long) latest));
        return points;
    }
}
