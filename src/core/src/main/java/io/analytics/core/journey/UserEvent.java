package io.analytics.core.journey;

import java.util.Comparator;
import java.util.Map;

/**
 * One event of a known user, as journeys need it: when, what, and the values of the configured
 * dimensions (absent when the event has none).
 */
public record UserEvent(String userId, long time, String eventType, String eventId, Map<String, String> dimensions) {

    public static final String PAGE_VIEW = "page_view";

    /** Event time, then event id: a total order, so that equal timestamps are never ambiguous. */
    public static final Comparator<UserEvent> EVENT_ORDER =
            Comparator.comparingLong(UserEvent::time).thenComparing(UserEvent::eventId);

    public UserEvent {
        if (userId == null || eventType == null || eventId == null) {
            throw new IllegalArgumentException("user, event type and event id are required");
        }
        dimensions = Map.copyOf(dimensions);
    }

    /** The value of {@code dimension}, or null; the empty name (no grouping) is always null. */
    public String dimension(String dimension) {
        return dimension.isEmpty() ? null : dimensions.get(dimension);
    }
}
