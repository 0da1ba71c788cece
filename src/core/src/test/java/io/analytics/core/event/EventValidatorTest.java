package io.analytics.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "proj_1";

    private static ObjectNode validEvent() {
        try {
            return (ObjectNode) JSON.readTree("""
                    {"event_id":"evt_123456","event_type":"purchase_completed","timestamp":"2026-02-16T10:30:00.000Z",
                     "user_id":"user_123","session_id":"sess_abc",
                     "properties":{"product_id":"prod_456","amount":99.99,"currency":"USD","country":"US"},
                     "metadata":{"ip_address":"1.2.3.4","platform":"web"}}
                    """);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static EventValidator.Result validate(Consumer<ObjectNode> change) {
        ObjectNode event = validEvent();
        change.accept(event);
        return EventValidator.validate(event, PROJECT);
    }

    private static EventValidator.Invalid invalid(Consumer<ObjectNode> change) {
        EventValidator.Result result = validate(change);
        assertThat(result).isInstanceOf(EventValidator.Invalid.class);
        return (EventValidator.Invalid) result;
    }

    private static EventValidator.Valid valid(Consumer<ObjectNode> change) {
        EventValidator.Result result = validate(change);
        assertThat(result).as(() -> String.valueOf(result)).isInstanceOf(EventValidator.Valid.class);
        return (EventValidator.Valid) result;
    }

    private static void assertError(EventValidator.Invalid invalid, String field) {
        // "field: reason", with a non-trivial reason
        assertThat(invalid.error()).startsWith(field + ": ");
        assertThat(invalid.error().substring(field.length() + 2).trim()).hasSizeGreaterThan(5);
    }

    @Test
    void validEventIsStampedAndNormalised() {
        EventValidator.Valid v = valid(e -> {});
        assertThat(v.normalized().get("project_id").asText()).isEqualTo(PROJECT);
        assertThat(v.normalized().get("timestamp").isIntegralNumber()).as("wire timestamp is epoch millis").isTrue();
        assertThat(v.normalized().get("timestamp").asLong()).isEqualTo(Instant.parse("2026-02-16T10:30:00Z").toEpochMilli());
        AnalyticsEvent event = v.event();
        assertThat(event.projectId()).isEqualTo(PROJECT);
        assertThat(event.eventId()).isEqualTo("evt_123456");
        assertThat(event.eventType()).isEqualTo("purchase_completed");
        assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-02-16T10:30:00Z").toEpochMilli());
        assertThat(event.userId()).isEqualTo("user_123");
        assertThat(event.sessionId()).isEqualTo("sess_abc");
        assertThat(event.amount()).isEqualTo(99.99);
        assertThat(event.isPurchase()).isTrue();
        assertThat(event.properties()).containsEntry("country", "US").containsEntry("product_id", "prod_456");
        assertThat(event.metadata()).containsEntry("platform", "web");
    }

    @Test
    void projectIdSentByTheClientIsOverwrittenByTheAuthenticatedProject() {
        EventValidator.Valid v = valid(e -> e.put("project_id", "someone_elses_project"));
        assertThat(v.normalized().get("project_id").asText()).isEqualTo(PROJECT);
        assertThat(v.event().projectId()).isEqualTo(PROJECT);
    }

    @Test
    void minimalEventIsValid() {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("event_id", "e");
        event.put("event_type", "x");
        event.put("timestamp", 1_771_237_800_000L);
        EventValidator.Result result = EventValidator.validate(event, PROJECT);
        assertThat(result).isInstanceOf(EventValidator.Valid.class);
        AnalyticsEvent e = ((EventValidator.Valid) result).event();
        assertThat(e.userId()).isNull();
        assertThat(e.sessionId()).isNull();
        assertThat(e.properties()).isEmpty();
        assertThat(e.metadata()).isEmpty();
        assertThat(e.amount()).isNull();
    }

    @Test
    void nonObjectInputIsRejected() throws Exception {
        for (JsonNode node : new JsonNode[] {
                JSON.readTree("[1,2]"), JSON.readTree("\"evt\""), JSON.readTree("42"), JSON.readTree("null"), null}) {
            EventValidator.Result result = EventValidator.validate(node, PROJECT);
            assertThat(result).isInstanceOf(EventValidator.Invalid.class);
            assertError((EventValidator.Invalid) result, "event");
        }
    }

    // --- event_id

    @Test
    void missingEventId() {
        EventValidator.Invalid invalid = invalid(e -> e.remove("event_id"));
        assertError(invalid, "event_id");
        assertThat(invalid.error()).contains("required");
        assertThat(invalid.eventId()).isNull();
        assertError(invalid(e -> e.putNull("event_id")), "event_id");
    }

    @Test
    void emptyEventId() {
        assertError(invalid(e -> e.put("event_id", "")), "event_id");
    }

    @Test
    void eventIdOf129CharactersIsTooLongButOf128IsFine() {
        EventValidator.Invalid invalid = invalid(e -> e.put("event_id", "a".repeat(129)));
        assertError(invalid, "event_id");
        assertThat(invalid.error()).contains("128");
        assertThat(valid(e -> e.put("event_id", "a".repeat(128))).event().eventId()).hasSize(128);
        assertThat(valid(e -> e.put("event_id", "a")).event().eventId()).isEqualTo("a");
    }

    @Test
    void nonStringEventId() {
        assertError(invalid(e -> e.put("event_id", 123)), "event_id");
        assertError(invalid(e -> e.putObject("event_id")), "event_id");
        assertError(invalid(e -> e.put("event_id", true)), "event_id");
    }

    // --- event_type

    @Test
    void missingEventType() {
        EventValidator.Invalid invalid = invalid(e -> e.remove("event_type"));
        assertError(invalid, "event_type");
        assertThat(invalid.error()).contains("required");
        // the rejection still names the event it is about
        assertThat(invalid.eventId()).isEqualTo("evt_123456");
    }

    @ParameterizedTest
    @ValueSource(strings = {"page view", "a*b", "purchase/completed", "café", "type\n", "<script>", "a,b", "*"})
    void eventTypeWithForbiddenCharacters(String type) {
        EventValidator.Invalid invalid = invalid(e -> e.put("event_type", type));
        assertError(invalid, "event_type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"page_view", "checkout.v2:step-1", "A", "0", "a-b_c.d:e"})
    void eventTypeWithAllowedCharacters(String type) {
        assertThat(valid(e -> e.put("event_type", type)).event().eventType()).isEqualTo(type);
    }

    @Test
    void eventTypeLength() {
        assertError(invalid(e -> e.put("event_type", "t".repeat(101))), "event_type");
        assertThat(invalid(e -> e.put("event_type", "t".repeat(101))).error()).contains("100");
        assertThat(valid(e -> e.put("event_type", "t".repeat(100))).event().eventType()).hasSize(100);
        assertError(invalid(e -> e.put("event_type", "")), "event_type");
        assertError(invalid(e -> e.put("event_type", 7)), "event_type");
    }

    // --- timestamp

    @Test
    void missingTimestamp() {
        EventValidator.Invalid invalid = invalid(e -> e.remove("timestamp"));
        assertError(invalid, "timestamp");
        assertThat(invalid.error()).contains("required");
        assertError(invalid(e -> e.putNull("timestamp")), "timestamp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "", "2026-02-16T10:30:00", "2026-02-16", "2026-02-16 10:30:00Z",
        "2026-02-30T10:30:00Z", "16/02/2026 10:30"})
    void timestampThatIsNotIsoWithOffset(String text) {
        assertError(invalid(e -> e.put("timestamp", text)), "timestamp");
    }

    @Test
    void timestampOfWrongJsonType() {
        assertError(invalid(e -> e.put("timestamp", true)), "timestamp");
        assertError(invalid(e -> e.putObject("timestamp")), "timestamp");
    }

    @Test
    void epochMillisAccepted() {
        long millis = Instant.parse("2026-02-16T10:30:00.123Z").toEpochMilli();
        EventValidator.Valid v = valid(e -> e.put("timestamp", millis));
        assertThat(v.event().timestamp()).isEqualTo(millis);
        assertThat(v.normalized().get("timestamp").asLong()).isEqualTo(millis);
    }

    @Test
    void canonicalUtcShapesAgreeWithJavaTime() {
        for (String text : new String[] {"2026-02-16T10:30:00Z", "2026-02-16T10:30:00.007Z", "2024-02-29T23:59:59.999Z",
                "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-02-16T10:30:00.5Z", "2026-02-16T10:30:00.123456Z"}) {
            EventValidator.Valid v = valid(e -> e.put("timestamp", text));
            assertThat(v.event().timestamp()).as(text).isEqualTo(Instant.parse(text).toEpochMilli());
        }
        for (String text : new String[] {"2026-02-30T10:30:00Z", "2026-13-01T10:30:00Z", "2026-02-16T24:00:00Z",
                "2026-02-16T10:60:00Z", "2026-02-16T10:30:60Z", "2026-02-16X10:30:00Z", "2026-02-16T10:30:0aZ"}) {
            assertThat(EventValidator.validate(json(text), PROJECT)).as(text).isInstanceOf(EventValidator.Invalid.class);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String timestamp) {
        return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("event_id", "e").put("event_type", "t").put("timestamp", timestamp);
    }

    @Test
    void isoWithOffsetIsNormalisedToUtc() {
        EventValidator.Valid v = valid(e -> e.put("timestamp", "2026-02-16T12:30:00.250+02:00"));
        Instant expected = Instant.parse("2026-02-16T10:30:00.250Z");
        assertThat(v.event().timestamp()).isEqualTo(expected.toEpochMilli());
        assertThat(v.normalized().get("timestamp").asLong()).isEqualTo(expected.toEpochMilli());

        EventValidator.Valid west = valid(e -> e.put("timestamp", "2026-02-16T05:30:00-05:00"));
        assertThat(west.event().timestamp()).isEqualTo(Instant.parse("2026-02-16T10:30:00Z").toEpochMilli());
    }

    /**
     * A syntactically valid ISO-8601 timestamp whose instant does not fit in epoch milliseconds must be
     * rejected with a "timestamp: ..." message like any other bad timestamp.
     */
    @Test
    void timestampBeyondEpochMillisRangeIsRejectedNotThrown() {
        assertError(invalid(e -> e.put("timestamp", "+999999999-12-31T23:59:59Z")), "timestamp");
    }

    // --- optional fields

    @Test
    void userIdAndSessionIdMustBeStrings() {
        assertThat(invalid(e -> e.put("user_id", 42)).error()).startsWith("user_id: ").contains("string");
        assertThat(invalid(e -> e.putObject("user_id")).error()).startsWith("user_id: ");
        assertThat(invalid(e -> e.put("session_id", 1.5)).error()).startsWith("session_id: ").contains("string");
        assertThat(valid(e -> e.putNull("user_id")).event().userId()).isNull();
    }

    @Test
    void propertiesAndMetadataMustBeObjects() {
        assertThat(invalid(e -> e.put("properties", "x")).error()).startsWith("properties: ").contains("object");
        assertThat(invalid(e -> e.putArray("properties")).error()).startsWith("properties: ");
        assertThat(invalid(e -> e.put("metadata", 5)).error()).startsWith("metadata: ").contains("object");
        assertThat(valid(e -> e.putNull("properties")).event().properties()).isEmpty();
    }

    @Test
    void amountAsStringIsRejected() {
        EventValidator.Invalid invalid = invalid(e -> ((ObjectNode) e.get("properties")).put("amount", "99.99"));
        assertThat(invalid.error()).startsWith("properties.amount: ").contains("number");
        assertThat(invalid.eventId()).isEqualTo("evt_123456");
        assertThat(invalid(e -> ((ObjectNode) e.get("properties")).put("amount", true)).error())
                .startsWith("properties.amount: ");
        assertThat(invalid(e -> ((ObjectNode) e.get("properties")).putObject("amount")).error())
                .startsWith("properties.amount: ");
    }

    @Test
    void amountOverflowingToInfinityIsRejected() throws Exception {
        ObjectNode event = validEvent();
        event.set("properties", JSON.readTree("{\"amount\": 1e400}"));
        EventValidator.Result result = EventValidator.validate(event, PROJECT);
        assertThat(result).isInstanceOf(EventValidator.Invalid.class);
        assertError((EventValidator.Invalid) result, "properties.amount");
    }

    @Test
    void numericAmountsAreAccepted() {
        assertThat(valid(e -> ((ObjectNode) e.get("properties")).put("amount", 10)).event().amount()).isEqualTo(10.0);
        assertThat(valid(e -> ((ObjectNode) e.get("properties")).put("amount", -5.25)).event().amount()).isEqualTo(-5.25);
        assertThat(valid(e -> ((ObjectNode) e.get("properties")).put("amount", 0)).event().amount()).isEqualTo(0.0);
        assertThat(valid(e -> ((ObjectNode) e.get("properties")).putNull("amount")).event().amount()).isNull();
        assertThat(valid(e -> ((ObjectNode) e.get("properties")).remove("amount")).event().amount()).isNull();
    }

    @Test
    void firstProblemIsReportedInFieldOrder() {
        EventValidator.Invalid invalid = invalid(e -> {
            e.put("event_type", "bad type");
            e.put("timestamp", "garbage");
        });
        assertError(invalid, "event_type");
    }
}
