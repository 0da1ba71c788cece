package io.analytics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.analytics.core.event.EventValidator;
import io.analytics.ops.EventCounter;
import io.analytics.ops.TraceIds;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Accepting events, whoever sends them (an HTTP client, or the domain through a projection): validate
 * each, drop ids the project already sent, publish the rest, and give back the ids of any event Kafka
 * did not take so a retry is not mistaken for a duplicate.
 */
public final class EventIngest {

    /** What happened to a batch. */
    public sealed interface Outcome {}

    /** Kafka has every valid, new event of the batch. */
    public record Accepted(IngestBatch batch, int accepted, int duplicates) implements Outcome {}

    /** Kafka did not take {@code lost} of the {@code attempted} new events; none of those is acknowledged. */
    public record Unavailable(int lost, int attempted) implements Outcome {}

    private static final Logger log = LoggerFactory.getLogger(EventIngest.class);

    private final AcceptedEventIds acceptedIds;
    private final EventPublisher publisher;
    private final EventCounter ingested;
    private final EventCounter rejected;
    private final EventCounter duplicateEvents;

    public EventIngest(AcceptedEventIds acceptedIds, EventPublisher publisher, MeterRegistry registry) {
        this.acceptedIds = acceptedIds;
        this.publisher = publisher;
        this.ingested = new EventCounter(registry, "analytics.events.ingested", "events accepted and stored in the raw topic");
        this.rejected = new EventCounter(registry, "analytics.events.rejected", "events refused by validation");
        this.duplicateEvents = new EventCounter(registry, "analytics.events.duplicate", "events whose id the project had already sent");
        acceptedIds.bindTo(registry);
    }

    /** Accepts events that start a trace of their own. */
    public CompletionStage<Outcome> accept(String project, List<JsonNode> events) {
        return accept(project, events, TraceIds.newTraceId());
    }

    /** Accepts events; their records carry {@code traceId}. */
    public CompletionStage<Outcome> accept(String project, List<JsonNode> events, String traceId) {
        IngestBatch batch = IngestBatch.validate(project, events);
        batch.rejected().forEach(r -> rejected.increment(typeOf(events.get(r.index())), 1));
        List<String> ids = batch.valid().stream().map(v -> v.event().eventId()).toList();
        boolean[] duplicate = acceptedIds.claim(project, ids);
        List<EventValidator.Valid> fresh = new ArrayList<>();
        for (int i = 0; i < duplicate.length; i++) {
            if (duplicate[i]) {
                duplicateEvents.increment(batch.valid().get(i).event().eventType(), 1);
            } else {
                fresh.add(batch.valid().get(i));
            }
        }
        int duplicates = ids.size() - fresh.size();
        return publisher.publish(fresh, traceId).thenApply(stored -> {
            List<String> lost = new ArrayList<>();
            for (int i = 0; i < stored.length; i++) {
                if (!stored[i]) {
                    lost.add(fresh.get(i).event().eventId());
                }
            }
            if (!lost.isEmpty()) {
                acceptedIds.release(project, lost);
                return new Unavailable(lost.size(), fresh.size());
            }
            fresh.forEach(valid -> ingested.increment(valid.event().eventType(), 1));
            try (MDC.MDCCloseable trace = MDC.putCloseable(TraceIds.MDC_KEY, traceId)) {
                log.debug("Project {}: {} events stored, {} duplicates, {} rejected", project, fresh.size(), duplicates,
                        batch.rejected().size());
            }
            return new Accepted(batch, fresh.size(), duplicates);
        });
    }

    /** The event type of a rejected event when it has a usable one, for the label of the rejection counter. */
    private static String typeOf(JsonNode event) {
        JsonNode type = event.get("event_type");
        return type != null && type.isTextual() && type.asText().matches("[A-Za-z0-9_.:-]{1,100}") ? type.asText() : null;
    }
}
