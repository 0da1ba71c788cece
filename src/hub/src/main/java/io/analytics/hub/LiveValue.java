package io.analytics.hub;

import io.analytics.core.metric.MetricSeries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The value of a live series at one tick. Immutable: one instance is shared by every subscriber. */
public sealed interface LiveValue {

    /**
     * What a subscriber holding {@code previous} needs to reach this value, or empty when nothing
     * changed. Only timelines have partial deltas; other values are small and sent whole.
     */
    Optional<LiveValue> changesSince(LiveValue previous);

    /**
     * The points of a timeline in [{@code start}, {@code end}). As a delta, {@code series} holds only
     * the points that are new or changed (a late event changes an old point); the receiver drops its
     * points before {@code start}. {@code summary} is always that of the whole value: the total of an
     * additive metric, the order-weighted mean of the average order value, the latest window's unique users.
     */
    record Timeline(SeriesSpec.Timeline spec, long start, long end, List<MetricSeries> series, double summary)
            implements LiveValue {

        public Timeline {
            series = List.copyOf(series);
        }

        static Timeline of(SeriesSpec.Timeline spec, long start, long end, List<MetricSeries> series) {
            return new Timeline(spec, start, end, series, summarise(spec, series));
        }

        @Override
        public Optional<LiveValue> changesSince(LiveValue previous) {
            if (!(previous instanceof Timeline before)) {
                return Optional.of(this);
            }
            Map<String, Map<Long, MetricSeries.Point>> known = new HashMap<>();
            for (MetricSeries s : before.series) {
                Map<Long, MetricSeries.Point> points = known.computeIfAbsent(s.key(), k -> new HashMap<>());
                s.points().forEach(p -> points.put(p.windowStart(), p));
            }
            List<MetricSeries> changed = new ArrayList<>();
            for (MetricSeries s : series) {
                Map<Long, MetricSeries.Point> old = known.getOrDefault(s.key(), Map.of());
                List<MetricSeries.Point> points = s.points().stream()
                        .filter(p -> !p.equals(old.get(p.windowStart())))
                        .toList();
                if (!points.isEmpty()) {
                    changed.add(new MetricSeries(s.key(), points));
                }
            }
            if (changed.isEmpty() && start == before.start) {
                return Optional.empty();
            }
            return Optional.of(new Timeline(spec, start, end, changed, summary));
        }

        private static double summarise(SeriesSpec.Timeline spec, List<MetricSeries> series) {
            List<MetricSeries.Point> points = series.stream().flatMap(s -> s.points().stream()).toList();
            return switch (spec.metric()) {
                case EVENTS, ORDERS, REVENUE, LATE_EVENTS -> points.stream().mapToDouble(MetricSeries.Point::value).sum();
                case AVG_ORDER_VALUE -> weightedMean(points);
                case UNIQUE_USERS, AMOUNT_PERCENTILES -> points.stream()
                        .max((a, b) -> Long.compare(a.windowStart(), b.windowStart()))
                        .map(MetricSeries.Point::value).orElse(0.0);
            };
        }

        private static double weightedMean(List<MetricSeries.Point> points) {
            long orders = points.stream().mapToLong(MetricSeries.Point::count).sum();
            double revenue = points.stream().mapToDouble(p -> p.value() * p.count()).sum();
            return orders == 0 ? 0 : revenue / orders;
        }
    }

    /** The largest groups, largest first. */
    record Ranking(SeriesSpec.Ranking spec, long start, long end, List<Entry> entries) implements LiveValue {

        public record Entry(String key, double value, long count) {}

        public Ranking {
            entries = List.copyOf(entries);
        }

        @Override
        public Optional<LiveValue> changesSince(LiveValue previous) {
            return previous instanceof Ranking before && before.entries.equals(entries) ? Optional.empty() : Optional.of(this);
        }
    }

    /** Users per step of a funnel over [{@code start}, {@code end}); small, so sent whole when it changed. */
    record Funnel(SeriesSpec.Funnel spec, long start, long end, io.analytics.core.journey.Funnel.Result result)
            implements LiveValue {

        @Override
        public Optional<LiveValue> changesSince(LiveValue previous) {
            return previous instanceof Funnel before && before.start == start && before.result.equals(result)
                    ? Optional.empty() : Optional.of(this);
        }
    }

    /** The alerts that hold. */
    record Alerts(List<Alert> active) implements LiveValue {

        public Alerts {
            active = List.copyOf(active);
        }

        @Override
        public Optional<LiveValue> changesSince(LiveValue previous) {
            return previous instanceof Alerts before && Objects.equals(before.active, active) ? Optional.empty() : Optional.of(this);
        }
    }
}
