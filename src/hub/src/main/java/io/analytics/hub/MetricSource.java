package io.analytics.hub;

import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where live values come from: in a node, {@code io.analytics.query.MetricsService#query}. */
@FunctionalInterface
public interface MetricSource {
    CompletionStage<List<MetricSeries>> query(MetricQuery query);
}
