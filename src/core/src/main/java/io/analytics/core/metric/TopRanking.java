package io.analytics.core.metric;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The top values of a dimension by an additive metric over a time range: each group's points added up,
 * highest first, ties broken by key so the answer is the same on every call. Events without the
 * dimension (the null group) are not ranked.
 */
public final class TopRanking {

    public record Entry(String key, double value, long count) {}

    private static final Comparator<Entry> ORDER = Comparator.comparingDouble(Entry::value).reversed()
            .thenComparing(Entry::key);

    private TopRanking() {}

    public static List<Entry> rank(Metric metric, List<MetricSeries> series, int k) {
        if (!metric.additive()) {
            throw new IllegalArgumentException("metric: " + metric.code() + " does not add up over windows and cannot be ranked");
        }
        List<Entry> entries = new ArrayList<>(series.size());
        for (MetricSeries s : series) {
            if (s.key() == null) {
                continue;
            }
            double value = 0;
            long count = 0;
            for (MetricSeries.Point point : s.points()) {
                value += point.value();
                count += point.count();
            }
            entries.add(new Entry(s.key(), value, count));
        }
        entries.sort(ORDER);
        return List.copyOf(entries.subList(0, Math.min(k, entries.size())));
    }
}
