package io.analytics.core.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The wire format of the raw events topic: one UTF-8 JSON object per record, the public event shape
 * plus {@code project_id}. Producers writing to the topic directly use the same shape.
 */
public final class EventCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventCodec() {}

    public static byte[] encode(ObjectNode normalized) {
        try {
            return JSON.writeValueAsBytes(normalized);
        } catch (IOException e) {
            throw new IllegalStateException("an ObjectNode always serialises", e);
        }
    }

    /**
     * Reads one record of the raw topic. Records written by other producers are checked like HTTP
     * input; a record that is not a valid event raises {@link MalformedEventException}.
     */
    public static AnalyticsEvent decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new MalformedEventException("record has no value (a tombstone or an empty record)");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("record is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedEventException("record is not readable: " + e.getMessage());
        }
        if (node == null || !node.path("project_id").isTextual()) {
            throw new MalformedEventException("project_id: is required on records of the raw topic");
        }
        EventValidator.Result result = EventValidator.validate(node, node.get("project_id").asText());
        if (result instanceof EventValidator.Invalid invalid) {
            throw new MalformedEventException(invalid.error());
        }
        return ((EventValidator.Valid) result).event();
    }

    static AnalyticsEvent fromJson(ObjectNode event) {
        return new AnalyticsEvent(
                event.path("project_id").asText(),
                event.get("event_id").asText(),
                event.get("event_type").asText(),
                EventValidator.parseTimestamp(event.get("timestamp")),
                textOrNull(event.get("user_id")),
                textOrNull(event.get("session_id")),
                attributes(event.get("properties")),
                attributes(event.get("metadata")));
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    /** Scalars are read directly (the common case, and the only values that group); nested values through Jackson. */
    private static Map<String, Object> attributes(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> attributes = new HashMap<>(node.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isTextual()) {
                attributes.put(field.getKey(), value.textValue());
            } else if (value.isNumber()) {
                attributes.put(field.getKey(), value.numberValue());
            } else if (value.isBoolean()) {
                attributes.put(field.getKey(), value.booleanValue());
            } else if (value.isContainerNode()) {
                attributes.put(field.getKey(), JSON.convertValue(value, Object.class));
            }
        }
        return Collections.unmodifiableMap(attributes);
    }

    /** A record of the raw topic that is not a valid event. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }
    }
}
