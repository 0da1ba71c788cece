package io.analytics.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.util.regex.Pattern;

/**
 * Checks one submitted event against the public contract and says exactly which field is wrong and
 * why. A valid event is normalised in place: the timestamp becomes epoch milliseconds (UTC) and the
 * project is stamped on it, so that what reaches the raw topic is self-describing and cheap to read.
 */
public final class EventValidator {

    public static final int MAX_EVENT_ID_LENGTH = 128;
    public static final int MAX_EVENT_TYPE_LENGTH = 100;
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.:-]+");
    /**
     * Event times must lie in [1970, 10000): epoch milliseconds outside it are almost certainly seconds
     * or microseconds sent by mistake, and windows and watermarks are computed in long milliseconds.
     */
    public static final long MAX_EPOCH_MILLIS = 253_402_300_800_000L;

    private EventValidator() {}

    /** The outcome for one event: either the normalised event or the first problem found. */
    public sealed interface Result permits Valid, Invalid {}

    public record Valid(AnalyticsEvent event, ObjectNode normalized) implements Result {}

    public record Invalid(String eventId, String error) implements Result {}

    public static Result validate(JsonNode node, String projectId) {
        if (!(node instanceof ObjectNode event)) {
            return new Invalid(null, "event: must be a JSON object");
        }
        String eventIdText = event.path("event_id").isTextual() ? event.get("event_id").asText() : null;
        String error = firstError(event);
        if (error != null) {
            return new Invalid(eventIdText, error);
        }
        event.put("timestamp", parseTimestamp(event.get("timestamp")));
        event.put("project_id", projectId);
        return new Valid(EventCodec.fromJson(event), event);
    }

    private static String firstError(ObjectNode event) {
        JsonNode eventId = event.get("event_id");
        if (eventId == null || eventId.isNull()) {
            return "event_id: is required";
        }
        if (!eventId.isTextual() || eventId.asText().isEmpty() || eventId.asText().length() > MAX_EVENT_ID_LENGTH) {
            return "event_id: must be a string of 1 to " + MAX_EVENT_ID_LENGTH + " characters";
        }
        JsonNode eventType = event.get("event_type");
        if (eventType == null || eventType.isNull()) {
            return "event_type: is required";
        }
        if (!eventType.isTextual() || eventType.asText().isEmpty() || eventType.asText().length() > MAX_EVENT_TYPE_LENGTH) {
            return "event_type: must be a string of 1 to " + MAX_EVENT_TYPE_LENGTH + " characters";
        }
        if (!EVENT_TYPE.matcher(eventType.asText()).matches()) {
            return "event_type: may only contain letters, digits and _ . : -";
        }
        String timestampError = timestampError(event.get("timestamp"));
        if (timestampError != null) {
            return timestampError;
        }
        for (String field : new String[] {"user_id", "session_id"}) {
            JsonNode value = event.get(field);
            if (value != null && !value.isNull() && !value.isTextual()) {
                return field + ": must be a string";
            }
        }
        for (String field : new String[] {"properties", "metadata"}) {
            JsonNode value = event.get(field);
            if (value != null && !value.isNull() && !value.isObject()) {
                return field + ": must be a JSON object";
            }
        }
        JsonNode amount = event.path("properties").get("amount");
        if (amount != null && !amount.isNull() && !(amount.isNumber() && Double.isFinite(amount.asDouble()))) {
            return "properties.amount: must be a finite number";
        }
        return null;
    }

    private static String timestampError(JsonNode timestamp) {
        if (timestamp == null || timestamp.isNull()) {
            return "timestamp: is required";
        }
        try {
            parseTimestamp(timestamp);
            return null;
        } catch (DateTimeException | ArithmeticException e) {
            return "timestamp: must be ISO-8601 with an offset (2026-02-16T10:30:00.000Z) or epoch milliseconds";
        } catch (IllegalArgumentException e) {
            return "timestamp: " + e.getMessage();
        }
    }

    /** ISO-8601 with offset, or integral epoch milliseconds, within [1970, 10000). */
    static long parseTimestamp(JsonNode timestamp) {
        long millis;
        if (timestamp.isIntegralNumber() && timestamp.canConvertToLong()) {
            millis = timestamp.asLong();
        } else if (timestamp.isTextual()) {
            millis = IsoTimestamps.parse(timestamp.asText());
        } else {
            throw new DateTimeException("not a timestamp");
        }
        if (millis < 0 || millis >= MAX_EPOCH_MILLIS) {
            throw new IllegalArgumentException("must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z");
        }
        return millis;
    }
}
