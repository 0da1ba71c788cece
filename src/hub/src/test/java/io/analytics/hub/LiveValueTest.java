package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.journey.Funnel;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.metric.MetricSeries.Point;
import io.analytics.core.window.WindowSize;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveValueTest {

    static final SeriesSpec.Timeline REVENUE = new SeriesSpec.Timeline("revenue_by_country", Metric.REVENUE,
            WindowSize.ONE_MINUTE, new Dimension("country"), null, new LiveRange.Last(Duration.ofHours(1)), null);

    @Test
    void aDeltaHoldsOnlyNewAndChangedPointsAndTheWholeSummary() {
        LiveValue.Timeline before = LiveValue.Timeline.of(REVENUE, 0, 3_600_000, List.of(
                new MetricSeries("DE", List.of(new Point(0, 10, 1), new Point(60_000, 5, 1))),
                new MetricSeries("US", List.of(new Point(0, 1, 1)))));
        LiveValue.Timeline after = LiveValue.Timeline.of(REVENUE, 0, 3_600_000, List.of(
                new MetricSeries("DE", List.of(new Point(0, 52, 2), new Point(60_000, 5, 1))),
                new MetricSeries("FR", List.of(new Point(120_000, 7, 1))),
                new MetricSeries("US", List.of(new Point(0, 1, 1)))));
        LiveValue.Timeline delta = (LiveValue.Timeline) after.changesSince(before).orElseThrow();
        assertThat(delta.series()).containsExactly(
                new MetricSeries("DE", List.of(new Point(0, 52, 2))),
                new MetricSeries("FR", List.of(new Point(120_000, 7, 1))));
        assertThat(delta.summary()).isEqualTo(65);
        assertThat(after.changesSince(after)).isEmpty();
    }

    @Test
    void aMovedRangeIsADeltaEvenWithoutChangedPoints() {
        LiveValue.Timeline before = LiveValue.Timeline.of(REVENUE, 0, 3_600_000, List.of());
        LiveValue.Timeline after = LiveValue.Timeline.of(REVENUE, 60_000, 3_660_000, List.of());
        assertThat(after.changesSince(before)).hasValueSatisfying(d -> assertThat(((LiveValue.Timeline) d).start()).isEqualTo(60_000));
    }

    @Test
    void theRollingAverageIsWeightedByOrders() {
        SeriesSpec.Timeline average = new SeriesSpec.Timeline("avg", Metric.AVG_ORDER_VALUE, WindowSize.ONE_MINUTE, null,
                null, new LiveRange.Last(Duration.ofHours(1)), null);
        LiveValue.Timeline value = LiveValue.Timeline.of(average, 0, 3_600_000, List.of(
                new MetricSeries(null, List.of(new Point(0, 10, 3), new Point(60_000, 50, 1)))));
        assertThat(value.summary()).isEqualTo(20);
    }

    @Test
    void aFunnelIsSentWholeAndOnlyWhenItsCountsOrDayChanged() {
        SeriesSpec.Funnel spec = new SeriesSpec.Funnel("funnel_today", List.of("page_view", "purchase_completed"),
                Duration.ofHours(1), new LiveRange.Today(), Duration.ofSeconds(5));
        LiveValue.Funnel before = new LiveValue.Funnel(spec, 0, 86_400_000, new Funnel.Result(List.of(3L, 1L), 60.0));
        LiveValue.Funnel same = new LiveValue.Funnel(spec, 0, 86_400_000, new Funnel.Result(List.of(3L, 1L), 60.0));
        LiveValue.Funnel more = new LiveValue.Funnel(spec, 0, 86_400_000, new Funnel.Result(List.of(4L, 1L), 60.0));
        LiveValue.Funnel nextDay = new LiveValue.Funnel(spec, 86_400_000, 172_800_000, new Funnel.Result(List.of(3L, 1L), 60.0));
        assertThat(same.changesSince(before)).isEmpty();
        assertThat(more.changesSince(before)).containsSame(more);
        assertThat(nextDay.changesSince(before)).containsSame(nextDay);
    }
}
