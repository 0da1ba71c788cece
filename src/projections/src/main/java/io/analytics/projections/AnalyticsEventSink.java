package io.analytics.projections;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;

/**
 * Where events produced by the domain enter the analytics pipeline, exactly as if a client had sent
 * them: validated, deduplicated by event id, published to the raw topic. Completes once the event is
 * stored or recognised as a duplicate; fails if it could not be stored (the caller retries).
 */
@FunctionalInterface
public interface AnalyticsEventSink {
    CompletionStage<Void> publish(String projectId, ObjectNode event);
}
