package io.analytics.core.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WatermarkTest {

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void initialClosesNothing() {
        Watermark initial = Watermark.initial(5_000);
        for (WindowSize size : WindowSize.values()) {
            assertThat(initial.isClosed(size, size.startOf(0))).isFalse();
            assertThat(initial.isClosed(size, size.startOf(at("1900-01-01T00:00:00Z")))).isFalse();
            assertThat(initial.isClosed(size, size.startOf(at("2026-02-16T10:30:00Z")))).isFalse();
        }
        Watermark noLateness = Watermark.initial(0);
        assertThat(noLateness.isClosed(WindowSize.ONE_MINUTE, -3_600_000L)).isFalse();
    }

    @Test
    void advanceIsMonotonic() {
        Watermark w = Watermark.initial(1_000).advance(at("2026-02-16T10:31:00Z"));
        Watermark back = w.advance(at("2026-02-16T10:20:00Z"));
        assertThat(back.maxEventTime()).isEqualTo(at("2026-02-16T10:31:00Z"));
        assertThat(back.value()).isEqualTo(w.value());
        Watermark forward = back.advance(at("2026-02-16T10:32:00Z"));
        assertThat(forward.maxEventTime()).isEqualTo(at("2026-02-16T10:32:00Z"));
        assertThat(forward.value()).isGreaterThan(w.value());
        assertThat(forward.allowedLateness()).isEqualTo(1_000L);
    }

    @Test
    void valueIsMaxEventTimeMinusLateness() {
        Watermark w = Watermark.initial(5_000).advance(at("2026-02-16T10:31:05Z"));
        assertThat(w.value()).isEqualTo(at("2026-02-16T10:31:00Z"));
    }

    @Test
    void windowClosedExactlyWhenItsEndIsAtOrBeforeMaxMinusLateness() {
        long lateness = 5_000;
        long start = at("2026-02-16T10:30:00Z");
        // end of the 1m window is 10:31:00; it closes once the max event time reaches 10:31:05
        Watermark justBefore = Watermark.initial(lateness).advance(at("2026-02-16T10:31:04.999Z"));
        Watermark exactly = Watermark.initial(lateness).advance(at("2026-02-16T10:31:05Z"));
        assertThat(justBefore.isClosed(WindowSize.ONE_MINUTE, start)).isFalse();
        assertThat(exactly.isClosed(WindowSize.ONE_MINUTE, start)).isTrue();
        // the following minute, the enclosing 5m, 1h and 1d windows stay open
        assertThat(exactly.isClosed(WindowSize.ONE_MINUTE, at("2026-02-16T10:31:00Z"))).isFalse();
        assertThat(exactly.isClosed(WindowSize.FIVE_MINUTES, start)).isFalse();
        assertThat(exactly.isClosed(WindowSize.ONE_HOUR, at("2026-02-16T10:00:00Z"))).isFalse();
        assertThat(exactly.isClosed(WindowSize.ONE_DAY, at("2026-02-16T00:00:00Z"))).isFalse();
        // earlier windows are closed too
        assertThat(exactly.isClosed(WindowSize.ONE_MINUTE, at("2026-02-16T10:00:00Z"))).isTrue();
        assertThat(exactly.isClosed(WindowSize.FIVE_MINUTES, at("2026-02-16T10:25:00Z"))).isTrue();
        assertThat(exactly.isClosed(WindowSize.ONE_HOUR, at("2026-02-16T09:00:00Z"))).isTrue();
    }

    @Test
    void zeroLatenessClosesAWindowAsSoonAsAnEventReachesItsEnd() {
        Watermark w = Watermark.initial(0).advance(at("2026-02-16T11:00:00Z"));
        assertThat(w.isClosed(WindowSize.ONE_HOUR, at("2026-02-16T10:00:00Z"))).isTrue();
        assertThat(w.isClosed(WindowSize.ONE_HOUR, at("2026-02-16T11:00:00Z"))).isFalse();
    }

    /**
     * EventValidator accepts ISO timestamps down to the year -292275055, i.e. epoch millis near Long.MIN_VALUE.
     * An event time that early must not close any window that ends later than it.
     */
    @Test
    void veryEarlyEventTimeDoesNotCloseLaterWindows() {
        Watermark w = Watermark.initial(60_000).advance(Long.MIN_VALUE + 1_000);
        assertThat(w.value()).isLessThan(0);
        assertThat(w.isClosed(WindowSize.ONE_MINUTE, at("2026-02-16T10:30:00Z"))).isFalse();
    }
}
