package io.analytics.hub;

import io.analytics.core.journey.Funnel;
import java.util.concurrent.CompletionStage;

/**
 * Where {@code funnel_today} comes from: in a node, {@code io.analytics.query.Funnels}, the computation of
 * {@code GET /api/v1/funnels}, run off the actor threads (it reads the day's user events).
 */
@FunctionalInterface
public interface FunnelSource {
    /** The ungrouped funnel of the users entering in [{@code start}, {@code end}). */
    CompletionStage<Funnel.Result> evaluate(String project, Funnel funnel, long start, long end);
}
