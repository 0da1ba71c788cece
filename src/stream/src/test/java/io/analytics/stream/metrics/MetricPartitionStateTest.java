package io.analytics.stream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.metric.CellDelta;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.PartitionBatch;
import io.analytics.core.window.Watermark;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The entity's memory is bounded by the windows still open, not by the windows it has ever seen: it
 * drives the state through ten days of event time, with disorder up to the allowed lateness and some
 * events beyond it, closing and releasing windows as the entity and the projection do.
 */
class MetricPartitionStateTest {

    private static final long LATENESS = Duration.ofMinutes(5).toMillis();
    private static final long START = Instant.parse("2026-02-16T00:00:00Z").toEpochMilli();
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final List<Dimension> DIMENSIONS = List.of(new Dimension("country"), new Dimension("event_type"));
    private static final String[] COUNTRIES = {"US", "DE", "FR", "GB"};
    private static final String[] TYPES = {"page_view", "add_to_cart", "purchase_completed"};

    @Test
    void cellsHeldDoNotGrowWithTheNumberOfWindowsSeen() {
        MetricPartitionState state = MetricPartitionState.empty(Watermark.initial(LATENESS));
        Random random = new Random(11);
        long offset = 0;
        long[] peakPerDay = new long[10];
        long windowsSeen = 0;
        long eventsPerBatch = 50;
        for (long clock = START; clock < START + 10 * DAY; clock += Duration.ofMinutes(2).toMillis()) {
            PartitionBatch batch = new PartitionBatch(DIMENSIONS, state.position().watermark(), Duration.ofHours(1).toMillis());
            for (int i = 0; i < eventsPerBatch; i++) {
                // uniform disorder up to the lateness, and one event in fifty far beyond it
                long disorder = random.nextInt(50) == 0 ? Duration.ofHours(2).toMillis() : (long) (random.nextDouble() * LATENESS);
                AnalyticsEvent event = new AnalyticsEvent("p", "e" + offset + "-" + i, TYPES[random.nextInt(TYPES.length)],
                        clock - disorder, "u" + random.nextInt(500), null,
                        Map.of("country", COUNTRIES[random.nextInt(COUNTRIES.length)], "amount", 10.0), Map.of());
                batch.add(event, clock);
            }
            List<CellDelta> deltas = batch.deltas();
            windowsSeen += deltas.size();
            MetricPartition.BatchApplied applied = new MetricPartition.BatchApplied(
                    offset, offset + eventsPerBatch - 1, batch.watermark(), batch.events(), batch.lateEvents(), deltas, true);
            offset += eventsPerBatch;
            long watermark = batch.watermark().value();
            boolean closes = state.hasCellsClosingAt(watermark, deltas);
            var closed = closes ? state.closedCellsAfter(applied) : null;
            state.apply(applied);
            if (closes) {
                state.close(new MetricPartition.WindowsClosed(0, watermark, closed));
                state.release(new MetricPartition.WindowsReleased(watermark));
            }
            int day = (int) ((clock - START) / DAY);
            peakPerDay[day] = Math.max(peakPerDay[day], state.cellCount());
        }
        assertThat(windowsSeen).as("cells produced over ten days").isGreaterThan(100_000);
        assertThat(peakPerDay[1]).as("cells held on day 2").isPositive();
        for (int day = 2; day < 10; day++) {
            assertThat(peakPerDay[day]).as("peak cells held on day %d vs day 2", day + 1)
                    .isLessThanOrEqualTo(peakPerDay[1] + peakPerDay[1] / 10);
        }
        assertThat(state.position().lastOffset()).isEqualTo(offset - 1);
    }
}
