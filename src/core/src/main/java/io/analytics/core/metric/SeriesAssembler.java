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
                    points.add(new MetricSeries.Point(start, totals.value(query.metric()), totals.count));
                }
            });
            if (!points.isEmpty()) {
                series.add(new MetricSeries(key, List.copyOf(points)));
            }
        });
        series.sort(Comparator.comparing(MetricSeries::key, Comparator.nullsLast(Comparator.naturalOrder())));
        return series;
    }

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
