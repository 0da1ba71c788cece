package io.analytics.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void encodeThenDecodeGivesTheSameEvent() throws Exception {
        var valid = (EventValidator.Valid) EventValidator.validate(JSON.readTree("""
                {"event_id":"evt_1","event_type":"purchase_completed","timestamp":"2026-02-16T12:30:00.5+02:00",
                 "user_id":"u1","session_id":"s1","properties":{"amount":12.5,"country":"US"},
                 "metadata":{"platform":"web"}}
                """), "proj");
        AnalyticsEvent decoded = EventCodec.decode(EventCodec.encode(valid.normalized()));
        assertThat(decoded).isEqualTo(valid.event());
        assertThat(decoded.projectId()).isEqualTo("proj");
        assertThat(decoded.timestamp()).isEqualTo(Instant.parse("2026-02-16T10:30:00.5Z").toEpochMilli());
    }

    @Test
    void decodeReadsARecordWrittenByAnotherProducer() {
        AnalyticsEvent e = EventCodec.decode(utf8(
                "{\"project_id\":\"p9\",\"event_id\":\"x\",\"event_type\":\"page_view\",\"timestamp\":1771237800000}"));
        assertThat(e.projectId()).isEqualTo("p9");
        assertThat(e.eventId()).isEqualTo("x");
        assertThat(e.timestamp()).isEqualTo(1_771_237_800_000L);
    }

    @Test
    void decodeRejectsRecordWithoutProjectId() {
        assertThatThrownBy(() -> EventCodec.decode(utf8(
                        "{\"event_id\":\"x\",\"event_type\":\"page_view\",\"timestamp\":1771237800000}")))
                .isInstanceOf(EventCodec.MalformedEventException.class)
                .hasMessageStartingWith("project_id:");
        assertThatThrownBy(() -> EventCodec.decode(utf8(
                        "{\"project_id\":7,\"event_id\":\"x\",\"event_type\":\"page_view\",\"timestamp\":1771237800000}")))
                .isInstanceOf(EventCodec.MalformedEventException.class)
                .hasMessageStartingWith("project_id:");
    }

    @Test
    void decodeRejectsNonJson() {
        assertThatThrownBy(() -> EventCodec.decode(utf8("not json {")))
                .isInstanceOf(EventCodec.MalformedEventException.class)
                .hasMessageContaining("JSON");
        assertThatThrownBy(() -> EventCodec.decode(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00}))
                .isInstanceOf(EventCodec.MalformedEventException.class);
        assertThatThrownBy(() -> EventCodec.decode(new byte[0]))
                .isInstanceOf(EventCodec.MalformedEventException.class);
        assertThatThrownBy(() -> EventCodec.decode(utf8("[1,2,3]")))
                .isInstanceOf(EventCodec.MalformedEventException.class);
    }

    @Test
    void decodeRejectsAnInvalidEventWithTheValidatorsMessage() {
        assertThatThrownBy(() -> EventCodec.decode(utf8(
                        "{\"project_id\":\"p\",\"event_id\":\"x\",\"event_type\":\"page_view\",\"timestamp\":\"2026-02-16T10:30:00\"}")))
                .isInstanceOf(EventCodec.MalformedEventException.class)
                .hasMessageStartingWith("timestamp:");
    }

    /** Consumers skip MalformedEventException records; any other exception would stop the partition on a poison record. */
    @Test
    void decodeReportsAnUnrepresentableTimestampAsMalformed() {
        assertThatThrownBy(() -> EventCodec.decode(utf8(
                        "{\"project_id\":\"p\",\"event_id\":\"x\",\"event_type\":\"t\",\"timestamp\":\"+999999999-12-31T23:59:59Z\"}")))
                .isInstanceOf(EventCodec.MalformedEventException.class)
                .hasMessageStartingWith("timestamp:");
    }
}
