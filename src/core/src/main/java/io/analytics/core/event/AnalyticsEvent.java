package io.analytics.core.event;

import java.util.Map;
import java.util.Objects;

/**
 * One business event as the platform understands it, after validation. {@code properties} and
 * {@code metadata} are the producer's open-ended attributes, kept as plain JSON values
 * (String, Number, Boolean, List, Map).
 */
public record AnalyticsEvent(
        String projectId,
        String eventId,
        String eventType,
        long timestamp,
        String userId,
        String sessionId,
        Map<String, Object> properties,
        Map<String, Object> metadata) {

    public static final String PURCHASE = "purchase_completed";

    public AnalyticsEvent {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(eventType, "eventType");
        properties = properties == null ? Map.of() : properties;
        metadata = metadata == null ? Map.of() : metadata;
    }

    /** {@code properties.amount}, or null when absent. Validation guarantees it is a number when present. */
    public Double amount() {
        return properties.get("amount") instanceof Number n ? n.doubleValue() : null;
    }

    public boolean isPurchase() {
        return PURCHASE.equals(eventType);
    }
}
