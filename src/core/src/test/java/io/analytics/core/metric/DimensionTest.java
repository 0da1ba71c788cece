package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.event.EventValidator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DimensionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static AnalyticsEvent event(Map<String, Object> properties, Map<String, Object> metadata) {
        return new AnalyticsEvent("proj", "evt_1", "purchase_completed", 1_771_237_800_000L, "user_1", "sess_1",
                properties, metadata);
    }

    /** An event as the platform really builds it: parsed from JSON and validated. */
    private static AnalyticsEvent parsed(String json) throws Exception {
        var result = EventValidator.validate(JSON.readTree(json), "proj");
        assertThat(result).isInstanceOf(EventValidator.Valid.class);
        return ((EventValidator.Valid) result).event();
    }

    @Test
    void topLevelFields() {
        AnalyticsEvent e = event(Map.of("event_type", "shadowed", "user_id", "shadowed"), Map.of());
        assertThat(new Dimension("event_type").valueOf(e)).isEqualTo("purchase_completed");
        assertThat(new Dimension("user_id").valueOf(e)).isEqualTo("user_1");
        assertThat(new Dimension("session_id").valueOf(e)).isEqualTo("sess_1");
    }

    @Test
    void missingTopLevelFieldsAreNull() {
        AnalyticsEvent e = new AnalyticsEvent("proj", "evt_1", "page_view", 0L, null, null, null, null);
        assertThat(new Dimension("user_id").valueOf(e)).isNull();
        assertThat(new Dimension("session_id").valueOf(e)).isNull();
    }

    @Test
    void propertyLookup() {
        AnalyticsEvent e = event(Map.of("country", "US", "currency", "USD"), Map.of("platform", "web"));
        assertThat(new Dimension("country").valueOf(e)).isEqualTo("US");
        assertThat(new Dimension("currency").valueOf(e)).isEqualTo("USD");
    }

    @Test
    void metadataFallbackWhenNoSuchProperty() {
        AnalyticsEvent e = event(Map.of("country", "US"), Map.of("platform", "web", "country", "DE"));
        assertThat(new Dimension("platform").valueOf(e)).isEqualTo("web");
        // a property wins over a metadata attribute of the same name
        assertThat(new Dimension("country").valueOf(e)).isEqualTo("US");
    }

    @Test
    void missingEverywhereIsNull() {
        AnalyticsEvent e = event(Map.of("country", "US"), Map.of("platform", "web"));
        assertThat(new Dimension("product_id").valueOf(e)).isNull();
        assertThat(Dimension.NONE.valueOf(e)).isNull();
        assertThat(Dimension.NONE.isNone()).isTrue();
        assertThat(new Dimension("country").isNone()).isFalse();
    }

    @Test
    void numbersRenderAsTheyWereWritten() throws Exception {
        AnalyticsEvent e = parsed("""
                {"event_id":"e1","event_type":"t","timestamp":"2026-02-16T10:30:00Z",
                 "properties":{"qty":5.0,"price":99.99,"n":42,"neg":-3.0,"big":12345678901,"flag":true,"half":0.5}}
                """);
        assertThat(new Dimension("qty").valueOf(e)).isEqualTo("5");
        assertThat(new Dimension("price").valueOf(e)).isEqualTo("99.99");
        assertThat(new Dimension("n").valueOf(e)).isEqualTo("42");
        assertThat(new Dimension("neg").valueOf(e)).isEqualTo("-3");
        assertThat(new Dimension("big").valueOf(e)).isEqualTo("12345678901");
        assertThat(new Dimension("flag").valueOf(e)).isEqualTo("true");
        assertThat(new Dimension("half").valueOf(e)).isEqualTo("0.5");
    }

    @Test
    void integralDoubleAndIntegerOfTheSameValueGroupTogether() {
        AnalyticsEvent asDouble = event(Map.of("size", 5.0), Map.of());
        AnalyticsEvent asInt = event(Map.of("size", 5), Map.of());
        assertThat(new Dimension("size").valueOf(asDouble)).isEqualTo("5").isEqualTo(new Dimension("size").valueOf(asInt));
    }

    @Test
    void nestedObjectsAndArraysAreNotGroupable() throws Exception {
        AnalyticsEvent e = parsed("""
                {"event_id":"e1","event_type":"t","timestamp":"2026-02-16T10:30:00Z",
                 "properties":{"cart":{"items":2},"tags":["a","b"]},
                 "metadata":{"device":{"os":"ios"}}}
                """);
        assertThat(new Dimension("cart").valueOf(e)).isNull();
        assertThat(new Dimension("tags").valueOf(e)).isNull();
        assertThat(new Dimension("device").valueOf(e)).isNull();
    }

    @Test
    void longValuesAreTruncatedTo256Characters() {
        String exact = "x".repeat(256);
        String longer = "y".repeat(256) + "tail-that-must-go";
        Map<String, Object> props = new HashMap<>();
        props.put("exact", exact);
        props.put("longer", longer);
        AnalyticsEvent e = event(props, Map.of("ua", "z".repeat(1000)));
        assertThat(new Dimension("exact").valueOf(e)).isEqualTo(exact);
        assertThat(new Dimension("longer").valueOf(e)).hasSize(256).isEqualTo("y".repeat(256));
        assertThat(new Dimension("ua").valueOf(e)).isEqualTo("z".repeat(256));
        assertThat(Dimension.MAX_VALUE_LENGTH).isEqualTo(256);
    }

    @Test
    void nameIsRequired() {
        assertThatThrownBy(() -> new Dimension(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listValueFromJavaIsNull() {
        AnalyticsEvent e = event(Map.of("l", List.of(1, 2)), Map.of());
        assertThat(new Dimension("l").valueOf(e)).isNull();
    }
}
