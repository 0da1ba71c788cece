package io.analytics.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One client connection of a project, whatever its protocol: resolves what it asks for, subscribes it
 * with the registry, and tells the registry when it goes away.
 */
final class HubConnection {

    /** A subscription refused, with the reason for the client. */
    record Rejection(String name, String message) {}

    record Outcome(List<String> subscribed, List<Rejection> rejected) {}

    private final String project;
    private final ClientOutbox outbox;
    private final ActorRef<LiveSeries.Command> registry;
    private final SeriesCatalog catalog;
    private final int maxSeries;
    private final Set<String> names = new LinkedHashSet<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    HubConnection(String project, ClientOutbox outbox, ActorRef<LiveSeries.Command> registry, SeriesCatalog catalog,
            int maxSeries) {
        this.project = project;
        this.outbox = outbox;
        this.registry = registry;
        this.catalog = catalog;
        this.maxSeries = maxSeries;
    }

    String project() {
        return project;
    }

    ClientOutbox outbox() {
        return outbox;
    }

    /**
     * Subscribes each item it can; the others come back as rejections. {@code acknowledge} runs before
     * the registry hears of the subscriptions, so the client's answer precedes its first snapshot.
     */
    synchronized Outcome subscribe(Iterable<JsonNode> items, Consumer<Outcome> acknowledge) {
        List<SeriesSpec> accepted = new ArrayList<>();
        List<String> subscribed = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        for (JsonNode item : items) {
            String label = item.isTextual() ? item.asText() : item.path("name").asText(null);
            try {
                SeriesSpec spec = catalog.resolve(item);
                if (spec instanceof SeriesSpec.Unavailable unavailable) {
                    throw new IllegalArgumentException(unavailable.reason());
                }
                if (names.contains(spec.name())) {
                    subscribed.add(spec.name());
                    continue;
                }
                if (names.size() >= maxSeries) {
                    throw new IllegalArgumentException("a connection may subscribe to at most " + maxSeries + " series");
                }
                names.add(spec.name());
                accepted.add(spec);
                subscribed.add(spec.name());
            } catch (IllegalArgumentException e) {
                rejected.add(new Rejection(label, e.getMessage()));
            }
        }
        Outcome outcome = new Outcome(subscribed, rejected);
        acknowledge.accept(outcome);
        accepted.forEach(spec -> registry.tell(new LiveSeries.Subscribe(outbox, project, spec)));
        return outcome;
    }

    synchronized void unsubscribe(Iterable<JsonNode> items) {
        for (JsonNode item : items) {
            String name = item.isTextual() ? item.asText() : item.path("name").asText();
            if (names.remove(name)) {
                registry.tell(new LiveSeries.Unsubscribe(outbox, project, name));
            }
        }
    }

    /** Idempotent: a protocol's close message and the socket's end may both report it. */
    void closed() {
        if (closed.compareAndSet(false, true)) {
            registry.tell(new LiveSeries.Disconnected(outbox));
            outbox.complete();
        }
    }
}
