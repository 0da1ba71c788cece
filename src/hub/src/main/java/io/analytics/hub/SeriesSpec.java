package io.analytics.hub;

import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.window.WindowSize;
import java.time.Duration;
import java.util.List;

/**
 * What a live series shows. Two subscribers asking for equal specs of one project share one
 * evaluation per tick, so specs are values.
 */
public sealed interface SeriesSpec {

    String name();

    /** A metric over the windows of a moving range: the points, and a summary of the range. */
    record Timeline(String name, Metric metric, WindowSize window, Dimension groupBy, String eventType, LiveRange range,
            Double target) implements SeriesSpec {

        public Timeline {
            groupBy = groupBy == null ? Dimension.NONE : groupBy;
        }

        MetricQuery query(String project, long now) {
            LiveRange.TimeRange span = range.at(now, window);
            return new MetricQuery(project, metric, window, span.start(), span.end(), groupBy, eventType);
        }
    }

    /** The groups of a dimension with the largest totals over a moving range, largest first. */
    record Ranking(String name, Metric metric, WindowSize window, Dimension groupBy, LiveRange range, int limit)
            implements SeriesSpec {

        public Ranking {
            if (metric == Metric.UNIQUE_USERS || metric == Metric.AVG_ORDER_VALUE) {
                throw new IllegalArgumentException(name + ": a ranking adds windows up, which " + metric.code() + " does not allow");
            }
        }

        MetricQuery query(String project, long now) {
            LiveRange.TimeRange span = range.at(now, window);
            return new MetricQuery(project, metric, window, span.start(), span.end(), groupBy, null);
        }
    }

    /** The alerts that hold now. */
    record Alerts(String name, List<AlertRule> rules) implements SeriesSpec {
        public Alerts {
            rules = List.copyOf(rules);
        }
    }

    /**
     * The funnel of the users entering within the range. It reads the range's user events, far more
     * than a metric query, so it is evaluated every {@code every} instead of every tick.
     */
    record Funnel(String name, List<String> steps, Duration conversionWindow, LiveRange range, Duration every)
            implements SeriesSpec {

        public Funnel {
            steps = List.copyOf(steps);
        }

        io.analytics.core.journey.Funnel funnel() {
            return new io.analytics.core.journey.Funnel(steps, conversionWindow.toMillis());
        }
    }

    /** A name the hub knows but cannot serve here; subscribing answers {@code reason}. */
    record Unavailable(String name, String reason) implements SeriesSpec {}
}
