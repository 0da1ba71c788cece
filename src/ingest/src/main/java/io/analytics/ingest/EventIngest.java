package io.analytics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.analytics.core.event.EventValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

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

    private final AcceptedEventIds acceptedIds;
    private final EventPublisher publisher;

    public EventIngest(AcceptedEventIds acceptedIds, EventPublisher publisher) {
        this.acceptedIds = acceptedIds;
        this.publisher = publisher;
    }

    public CompletionStage<Outcome> accept(String project, List<JsonNode> events) {
        IngestBatch batch = IngestBatch.validate(project, events);
        List<String> ids = batch.valid().stream().map(v -> v.event().eventId()).toList();
        boolean[] duplicate = acceptedIds.claim(project, ids);
        List<EventValidator.Valid> fresh = new ArrayList<>();
        for (int i = 0; i < duplicate.length; i++) {
            if (!duplicate[i]) {
                fresh.add(batch.valid().get(i));
            }
        }
        int duplicates = ids.size() - fresh.size();
        return publisher.publish(fresh).thenApply(stored -> {
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
            return new Accepted(batch, fresh.size(), duplicates);
        });
    }
}
