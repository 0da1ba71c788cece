package io.analytics.core.metric;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns the cells a query selected into its series. Cells of the same window and group arrive once
 * per source partition; counts and sums add up, and so do unique users, because the raw topic is keyed
 * by user so that each user's events live in one partition.
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
                    .computeIfAbsent(cell.key().windowStart(), k -> new Totals())
                    .add(cell);
        }
        List<MetricSeries> series = new ArrayList<>(groups.size());
        groups.forEach((key, windows) -> {
            List<MetricSeries.Point> points = new ArrayList<>(windows.size());
            windows.forEach((start, totals) -> {
                if (totals.count > 0) {
                    points.add(new MetricSeries.Point(start, totals.value(query.metric()), totals.count, layer));
                }
            });
            if (!points.isEmpty()) {
                series.add(new MetricSeries(key, List.copyOf(points)));
            }
        });
        series.sort(BY_KEY);
        return series;
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

    private static final class Totals {
        long count;
        double amount;
        double uniqueUsers;

        void add(CellValue cell) {
            count += cell.count();
            amount += cell.amount();
            uniqueUsers += cell.uniqueUsers();
        }

        double value(Metric metric) {
            return switch (Objects.requireNonNull(metric)) {
                case EVENTS, ORDERS -> count;
                case REVENUE -> amount;
                case AVG_ORDER_VALUE -> amount / count;
                case UNIQUE_USERS -> Math.round(uniqueUsers);
            };
        }
    }
}
