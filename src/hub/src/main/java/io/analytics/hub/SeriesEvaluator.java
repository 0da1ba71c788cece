package io.analytics.hub;

import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.window.WindowSize;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Computes a series' current value from metric queries. Identical queries running at the same time
 * share one answer: each asks every partition entity of the pipeline, so the alerts, which watch the
 * same series a dashboard shows, must not ask twice.
 */
final class SeriesEvaluator {

    private final MetricSource metrics;
    private final FunnelSource funnels;
    private final Map<MetricQuery, CompletableFuture<List<MetricSeries>>> running = new ConcurrentHashMap<>();

    SeriesEvaluator(MetricSource metrics, FunnelSource funnels) {
        this.metrics = metrics;
        this.funnels = funnels;
    }

    CompletionStage<LiveValue> evaluate(String project, SeriesSpec spec, long now) {
        if (spec instanceof SeriesSpec.Timeline timeline) {
            return timeline(project, timeline, now).thenApply(value -> value);
        }
        if (spec instanceof SeriesSpec.Ranking ranking) {
            return ranking(project, ranking, now);
        }
        if (spec instanceof SeriesSpec.Alerts alerts) {
            return alerts(project, alerts, now);
        }
        if (spec instanceof SeriesSpec.Funnel funnel) {
            return funnel(project, funnel, now);
        }
        return CompletableFuture.failedFuture(new IllegalArgumentException(((SeriesSpec.Unavailable) spec).reason()));
    }

    private CompletionStage<LiveValue.Timeline> timeline(String project, SeriesSpec.Timeline spec, long now) {
        var query = spec.query(project, now);
        return shared(query).thenApply(series -> LiveValue.Timeline.of(spec, query.start(), query.end(), series));
    }

    private CompletionStage<LiveValue> ranking(String project, SeriesSpec.Ranking spec, long now) {
        var query = spec.query(project, now);
        return shared(query).thenApply(series -> {
            List<LiveValue.Ranking.Entry> entries = new ArrayList<>(series.size());
            for (MetricSeries group : series) {
                double value = group.points().stream().mapToDouble(MetricSeries.Point::value).sum();
                long count = group.points().stream().mapToLong(MetricSeries.Point::count).sum();
                entries.add(new LiveValue.Ranking.Entry(group.key(), value, count));
            }
            entries.sort(Comparator.comparingDouble(LiveValue.Ranking.Entry::value).reversed()
                    .thenComparing(LiveValue.Ranking.Entry::key, Comparator.nullsLast(Comparator.naturalOrder())));
            return new LiveValue.Ranking(spec, query.start(), query.end(), entries.subList(0, Math.min(spec.limit(), entries.size())));
        });
    }

    private CompletionStage<List<MetricSeries>> shared(MetricQuery query) {
        CompletableFuture<List<MetricSeries>> mine = new CompletableFuture<>();
        CompletableFuture<List<MetricSeries>> earlier = running.putIfAbsent(query, mine);
        if (earlier != null) {
            return earlier;
        }
        metrics.query(query).whenComplete((series, failure) -> {
            running.remove(query, mine);
            if (failure == null) {
                mine.complete(series);
            } else {
                mine.completeExceptionally(failure);
            }
        });
        return mine;
    }

    private CompletionStage<LiveValue> funnel(String project, SeriesSpec.Funnel spec, long now) {
        LiveRange.TimeRange span = spec.range().at(now, WindowSize.ONE_DAY);
        return funnels.evaluate(project, spec.funnel(), span.start(), span.end())
                .thenApply(result -> new LiveValue.Funnel(spec, span.start(), span.end(), result));
    }

    /** One query per distinct source series, however many rules watch it. */
    private CompletionStage<LiveValue> alerts(String project, SeriesSpec.Alerts spec, long now) {
        Map<SeriesSpec.Timeline, CompletableFuture<LiveValue.Timeline>> sources = new HashMap<>();
        for (AlertRule rule : spec.rules()) {
            sources.computeIfAbsent(rule.source(), source -> timeline(project, source, now).toCompletableFuture());
        }
        return CompletableFuture.allOf(sources.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Alert> active = new ArrayList<>();
            for (AlertRule rule : spec.rules()) {
                List<MetricSeries.Point> points = sources.get(rule.source()).join().series().stream()
                        .flatMap(s -> s.points().stream()).toList();
                AlertRules.check(rule, points, now).ifPresent(active::add);
            }
            return new LiveValue.Alerts(active);
        });
    }
}
