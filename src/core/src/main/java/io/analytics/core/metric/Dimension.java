package io.analytics.core.metric;

import io.analytics.core.event.AnalyticsEvent;
import java.util.List;
import java.util.Map;

/**
 * A field events can be grouped by: a top-level field ({@code event_type}, {@code user_id},
 * {@code session_id}), else a property, else a metadata attribute. An event without it groups under
 * {@code null}. Values longer than {@link #MAX_VALUE_LENGTH} characters are truncated.
 */
public record Dimension(String name) {

    /** Longer values are cut to this length, so that one odd value cannot bloat every index it lands in. */
    public static final int MAX_VALUE_LENGTH = 256;

    /** The series of all events, not grouped. Its value is always null. */
    public static final Dimension NONE = new Dimension("");

    public Dimension {
        if (name == null) {
            throw new IllegalArgumentException("dimension name is required");
        }
    }

    public boolean isNone() {
        return name.isEmpty();
    }

    public String valueOf(AnalyticsEvent event) {
        return switch (name) {
            case "" -> null;
            case "event_type" -> event.eventType();
            case "user_id" -> event.userId();
            case "session_id" -> event.sessionId();
            default -> attribute(event);
        };
    }

    private String attribute(AnalyticsEvent event) {
        Object value = event.properties().get(name);
        if (value == null) {
            value = event.metadata().get(name);
        }
        return render(value);
    }

    private static String render(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return null;
        }
        String text = value.toString();
        if (text.length() <= MAX_VALUE_LENGTH) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_VALUE_LENGTH - 1)) ? MAX_VALUE_LENGTH - 1 : MAX_VALUE_LENGTH;
        return text.substring(0, end);
    }
}
