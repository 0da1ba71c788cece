package io.analytics.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A counter of events labelled by event type. Event types are chosen by clients, so the label takes at most
 * {@code maxTypes} distinct values; further types are counted under {@value #OTHER}, which keeps one client
 * from creating unbounded time series.
 */
public final class EventCounter {

    public static final String OTHER = "other";
    public static final String UNKNOWN = "unknown";
    private static final int DEFAULT_MAX_TYPES = 100;

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final int maxTypes;
    private final Map<String, Counter> byType = new ConcurrentHashMap<>();

    public EventCounter(MeterRegistry registry, String name, String description) {
        this(registry, name, description, DEFAULT_MAX_TYPES);
    }

    EventCounter(MeterRegistry registry, String name, String description, int maxTypes) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.maxTypes = maxTypes;
    }

    /** Adds {@code events} of {@code type} ({@code null}: the event had no valid type). */
    public void increment(String type, long events) {
        String label = type == null ? UNKNOWN : type;
        Counter counter = byType.get(label);
        if (counter == null) {
            counter = byType.size() < maxTypes ? byType.computeIfAbsent(label, this::register) : byType.computeIfAbsent(OTHER, this::register);
        }
        counter.increment(events);
    }

    private Counter register(String type) {
        return Counter.builder(name).description(description).tag("type", type).register(registry);
    }
}
