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
            List<MetricSeries.Point> points = points(query, stored);
            if (!points.isEmpty()) {
                series.add(new MetricSeries(key, List.copyOf(points)));
            }
        });
        series.sort(Comparator.comparing(MetricSeries::key, Comparator.nullsLast(Comparator.naturalOrder())));
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

    private static final class Totals {
        private final Metric metric;
        long count;
        double amount;
        double summedUserEstimates;
        UniqueUsers users;
        AmountDistribution amounts;

        Totals(Metric metric) {
            this.metric = metric;
        }

        static Totals combine(Metric metric, Iterable<Totals> parts) {
            Totals all = new Totals(metric);
            for (Totals part : parts) {
                all.count += part.count;
                all.amount += part.amount;
                all.summedUserEstimates += part.summedUserEstimates;
                if (part.users != null) {
                    all.users().merge(part.users.toBytes());
                }
                if (part.amounts != null) {
                    all.amounts().merge(part.amounts.toBytes());
                }
            }
            return all;
        }

        void add(CellValue cell) {
            count += cell.count();
            amount += cell.amount();
            if (metric == Metric.UNIQUE_USERS) {
                addUsers(cell);
            }
            if (metric == Metric.AMOUNT_PERCENTILES && cell.amounts() != null) {
                amounts().merge(cell.amounts());
            }
        }

        /** A read-model row stored before sketches were kept has only its estimate: those are added. */
        private void addUsers(CellValue cell) {
            if (cell.users() != null) {
                users().merge(cell.users());
            } else {
                summedUserEstimates += cell.uniqueUsers();
            }
        }

        /** Percentiles need amounts: purchases without one count as orders but have no place in the distribution. */
        boolean hasValue() {
            return metric == Metric.AMOUNT_PERCENTILES ? amounts != null && !amounts.isEmpty() : count > 0;
        }

        MetricSeries.Point point(long start) {
            return switch (metric) {
                case EVENTS, ORDERS, LATE_EVENTS -> new MetricSeries.Point(start, count, count);
                case REVENUE -> new MetricSeries.Point(start, amount, count);
                case AVG_ORDER_VALUE -> new MetricSeries.Point(start, amount / count, count);
                case UNIQUE_USERS -> new MetricSeries.Point(start,
                        Math.round((users == null ? 0 : users.estimate()) + summedUserEstimates), count);
                case AMOUNT_PERCENTILES -> percentilesPoint(start);
            };
        }

        private MetricSeries.Point percentilesPoint(long start) {
            MetricSeries.Percentiles p = new MetricSeries.Percentiles(
                    amounts.quantile(0.50), amounts.quantile(0.95), amounts.quantile(0.99));
            return new MetricSeries.Point(start, p.p50(), amounts.count(), p);
        }

        private UniqueUsers users() {
            if (users == null) {
                users = UniqueUsers.empty();
            }
            return users;
        }

        private AmountDistribution amounts() {
            if (amounts == null) {
                amounts = AmountDistribution.empty();
            }
            return amounts;
        }
    }
}
