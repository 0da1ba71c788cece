package io.analytics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.analytics.core.event.EventValidator;
import io.analytics.ops.EventCounter;
import io.analytics.ops.TraceIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
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
    /** Weight of one request in {@link #storeTime()}: it averages over about the last 20 requests. */
    private static final double STORE_TIME_WEIGHT = 0.05;
    /** After this long without a request, {@link #storeTime()} is zero rather than the last one's. */
    private static final long STORE_TIME_IDLE_AFTER_NANOS = 2_000_000_000L;

    /** A moving average of store times, and when a request last updated it. */
    private record RecentStoreTime(double averageNanos, long updatedAtNanos) {}

    private final AcceptedEventIds acceptedIds;
    private final EventPublisher publisher;
    private final EventCounter ingested;
    private final EventCounter rejected;
    private final EventCounter duplicateEvents;
    private final Timer store;
    /** Updated without a lock: a request's update lost to a concurrent one changes an average over 20 by little. */
    private volatile RecentStoreTime recentStoreTime = new RecentStoreTime(0, Long.MIN_VALUE);

    public EventIngest(AcceptedEventIds acceptedIds, EventPublisher publisher, MeterRegistry registry) {
        this.acceptedIds = acceptedIds;
        this.publisher = publisher;
        this.ingested = new EventCounter(registry, "analytics.events.ingested", "events accepted and stored in the raw topic");
        this.rejected = new EventCounter(registry, "analytics.events.rejected", "events refused by validation");
        this.duplicateEvents = new EventCounter(registry, "analytics.events.duplicate", "events whose id the project had already sent");
        this.store = Timer.builder("analytics.ingest.store")
                .description("from a request's new events being handed to Kafka to Kafka acknowledging all of them")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
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
        long handedOver = System.nanoTime();
        return publisher.publish(fresh, traceId).thenApply(stored -> {
            stored(System.nanoTime() - handedOver);
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

    /**
     * How long Kafka has been taking to acknowledge the events of a request (a moving average over about the
     * last 20 requests); zero when no request came in the last 2 s. It grows when the node cannot keep up
     * with what it is sent: its broker, or the cores it shares with the broker, fall behind.
     */
    public Duration storeTime() {
        RecentStoreTime recent = recentStoreTime;
        return stale(recent, System.nanoTime()) ? Duration.ZERO : Duration.ofNanos((long) recent.averageNanos());
    }

    private void stored(long nanos) {
        store.record(Duration.ofNanos(nanos));
        RecentStoreTime recent = recentStoreTime;
        long now = System.nanoTime();
        double average = stale(recent, now) ? nanos : recent.averageNanos() + STORE_TIME_WEIGHT * (nanos - recent.averageNanos());
        recentStoreTime = new RecentStoreTime(average, now);
    }

    private static boolean stale(RecentStoreTime recent, long nowNanos) {
        return recent.updatedAtNanos() == Long.MIN_VALUE || nowNanos - recent.updatedAtNanos() > STORE_TIME_IDLE_AFTER_NANOS;
    }

    /** The event type of a rejected event when it has a usable one, for the label of the rejection counter. */
    private static String typeOf(JsonNode event) {
        JsonNode type = event.get("event_type");
        return type != null && type.isTextual() && type.asText().matches("[A-Za-z0-9_.:-]{1,100}") ? type.asText() : null;
    }
}
