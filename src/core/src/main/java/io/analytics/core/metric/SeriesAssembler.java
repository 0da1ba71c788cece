package io.analytics.core.metric;

import io.analytics.core.window.WindowSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the cells a query selected into its series. Cells of the same window and group arrive once
 * per source partition, and a sliding or multi-size window spans several stored windows: counts and
 * sums add up, while unique users and amount distributions are unions of sketches, so a user seen in
 * two partitions or two minutes is counted once.
 */
public final class SeriesAssembler {

    private SeriesAssembler() {}

    public static List<MetricSeries> assemble(MetricQuery query, Iterable<CellValue> cells) {
        return assemble(query, cells, MetricSeries.Layer.LIVE);
    }

    /** The series of cells that all come from one layer, each point marked with it. */
    public static List<MetricSeries> assemble(MetricQuery query, Iterable<CellValue> cells, MetricSeries.Layer layer) {
        Map<String, TreeMap<Long, Totals>> groups = new HashMap<>();
        for (CellValue cell : cells) {
            if (!query.selects(cell.key())) {
                continue;
            }
            groups.computeIfAbsent(cell.key().dimensionValue(), k -> new TreeMap<>())
                    .computeIfAbsent(cell.key().windowStart(), k -> new Totals(query.metric()))
                    .add(cell);
        }
        List<MetricSeries> series = new ArrayList<>(groups.size());
        groups.forEach((key, stored) -> {
            List<MetricSeries.Point> points = points(query, stored).stream().map(point -> point.withLayer(layer)).toList();
            if (!points.isEmpty()) {
                series.add(new MetricSeries(key, List.copyOf(points)));
            }
        });
        series.sort(BY_KEY);
        return series;
    }

    private static List<MetricSeries.Point> points(MetricQuery query, NavigableMap<Long, Totals> stored) {
        WindowSpec window = query.window();
        List<MetricSeries.Point> points = new ArrayList<>();
        for (long start : windowStarts(query, stored)) {
            NavigableMap<Long, Totals> parts = stored.subMap(start, true, window.endOf(start), false);
            Totals totals = parts.size() == 1 ? parts.firstEntry().getValue() : Totals.combine(query.metric(), parts.values());
            if (totals.hasValue()) {
                points.add(totals.point(start));
            }
        }
        return points;
    }

    /**
     * Series of two layers as one answer: the points of a group from both, in time order. The layers
     * answer disjoint windows, so no window appears twice.
     */
    public static List<MetricSeries> merge(List<MetricSeries> first, List<MetricSeries> second) {
        Map<String, List<MetricSeries.Point>> groups = new HashMap<>();
        for (MetricSeries s : first) {
            groups.computeIfAbsent(s.key(), k -> new ArrayList<>()).addAll(s.points());
        }
        for (MetricSeries s : second) {
            groups.computeIfAbsent(s.key(), k -> new ArrayList<>()).addAll(s.points());
        }
        List<MetricSeries> merged = new ArrayList<>(groups.size());
        groups.forEach((key, points) -> {
            points.sort(Comparator.comparingLong(MetricSeries.Point::windowStart));
            merged.add(new MetricSeries(key, List.copyOf(points)));
        });
        merged.sort(BY_KEY);
        return merged;
    }

    private static final Comparator<MetricSeries> BY_KEY =
            Comparator.comparing(MetricSeries::key, Comparator.nullsLast(Comparator.naturalOrder()));


    /** The asked windows that contain at least one stored window: only those can have a point. */
    private static TreeSet<Long> windowStarts(MetricQuery query, NavigableMap<Long, Totals> stored) {
        WindowSpec window = query.window();
        long first = window.firstStart(query.start());
        long last = window.lastStart(query.end());
        TreeSet<Long> starts = new TreeSet<>();
        for (long cellStart : stored.keySet()) {
            long latest = Math.min(last, window.lastStart(cellStart + 1));
            for (long s = latest; s > cellStart - window.sizeMillis() && s >= first; s -= window.slideMillis()) {
                starts.add(s);
            }
        }
        return starts;
    }

    /** One window's cells combined: a {@link MetricCell} of the sketch the metric needs, plus estimates of sketchless rows. */
    private static final class Totals {
        private final Metric metric;
        private final MetricCell cell = new MetricCell();
        private long count;
        private double summedUserEstimates;

        Totals(Metric metric) {
            this.metric = metric;
        }

        static Totals combine(Metric metric, Iterable<Totals> parts) {
            Totals all = new Totals(metric);
            for (Totals part : parts) {
                all.count += part.count;
                all.summedUserEstimates += part.summedUserEstimates;
                all.cell.merge(part.cell);
            }
            return all;
        }

        /** A read-model row stored before sketches were kept has only its users estimate: those are added. */
        void add(CellValue value) {
            count += value.count();
            byte[] users = metric == Metric.UNIQUE_USERS ? value.users() : null;
            byte[] amounts = metric == Metric.AMOUNT_PERCENTILES ? value.amounts() : null;
            cell.merge(new CellDelta(value.key(), value.count(), value.amount(), users, amounts));
            if (metric == Metric.UNIQUE_USERS && users == null) {
                summedUserEstimates += value.uniqueUsers();
            }
        }

        /** Percentiles need amounts: purchases without one count as orders but have no place in the distribution. */
        boolean hasValue() {
            return metric == Metric.AMOUNT_PERCENTILES ? cell.percentiles() != null : count > 0;
        }

        MetricSeries.Point point(long start) {
            double amount = cell.amount();
            return switch (metric) {
                case EVENTS, ORDERS, LATE_EVENTS -> new MetricSeries.Point(start, count, count);
                case REVENUE -> new MetricSeries.Point(start, amount, count);
                case AVG_ORDER_VALUE -> new MetricSeries.Point(start, amount / count, count);
                case UNIQUE_USERS -> new MetricSeries.Point(start, Math.round(cell.uniqueUsers() + summedUserEstimates), count);
                case AMOUNT_PERCENTILES -> {
                    MetricSeries.Percentiles p = cell.percentiles();
                    yield new MetricSeries.Point(start, p.p50(), p.count(), p);
                }
            };
        }
    }
}
