package io.analytics.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Upcasts journal entries written by older versions, as they are read. The schema version travels in
 * each entry's serializer manifest ({@code ...Recorded#2}); entries without one are version 1.
 *
 * <ul>
 *   <li>v1 → v2: {@code OrderCreated} had no currency; every order was in US dollars.</li>
 * </ul>
 */
public final class RecordedMigration extends JacksonMigration {

    static final String DEFAULT_V1_CURRENCY = "USD";

    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        if (fromVersion < 2 && json.get("event") instanceof ObjectNode event
                && "OrderCreated".equals(event.path("type").asText()) && !event.hasNonNull("currency")) {
            event.put("currency", DEFAULT_V1_CURRENCY);
        }
        return json;
    }
}
