package io.analytics.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class WindowSizeTest {

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void exactBoundaryStartsItsOwnWindow() {
        long t = at("2026-02-16T10:30:00Z");
        assertThat(WindowSize.ONE_MINUTE.startOf(t)).isEqualTo(t);
        assertThat(WindowSize.FIVE_MINUTES.startOf(t)).isEqualTo(t);
        assertThat(WindowSize.ONE_HOUR.startOf(t)).isEqualTo(at("2026-02-16T10:00:00Z"));
        assertThat(WindowSize.ONE_DAY.startOf(t)).isEqualTo(at("2026-02-16T00:00:00Z"));
    }

    @Test
    void lastMillisecondBelongsToTheWindowItEnds() {
        long t = at("2026-02-16T10:34:59.999Z");
        assertThat(WindowSize.FIVE_MINUTES.startOf(t)).isEqualTo(at("2026-02-16T10:30:00Z"));
        assertThat(WindowSize.ONE_MINUTE.startOf(t)).isEqualTo(at("2026-02-16T10:34:00Z"));
        long next = at("2026-02-16T10:35:00Z");
        assertThat(WindowSize.FIVE_MINUTES.startOf(next)).isEqualTo(next);
        assertThat(WindowSize.ONE_HOUR.startOf(at("2026-02-16T10:59:59.999Z"))).isEqualTo(at("2026-02-16T10:00:00Z"));
        assertThat(WindowSize.ONE_DAY.startOf(at("2026-02-16T23:59:59.999Z"))).isEqualTo(at("2026-02-16T00:00:00Z"));
    }

    @Test
    void endIsStartPlusLength() {
        long start = at("2026-02-16T10:30:00Z");
        assertThat(WindowSize.ONE_MINUTE.endOf(start)).isEqualTo(at("2026-02-16T10:31:00Z"));
        assertThat(WindowSize.FIVE_MINUTES.endOf(start)).isEqualTo(at("2026-02-16T10:35:00Z"));
        assertThat(WindowSize.ONE_HOUR.endOf(at("2026-02-16T10:00:00Z"))).isEqualTo(at("2026-02-16T11:00:00Z"));
        assertThat(WindowSize.ONE_DAY.endOf(at("2026-02-16T00:00:00Z"))).isEqualTo(at("2026-02-17T00:00:00Z"));
    }

    @Test
    void hourAndDayBoundariesAreUtcWhateverTheDefaultTimeZone() {
        TimeZone saved = TimeZone.getDefault();
        try {
            for (String zone : new String[] {"Pacific/Kiritimati", "America/St_Johns", "Asia/Kolkata", "UTC"}) {
                TimeZone.setDefault(TimeZone.getTimeZone(zone));
                // 23:30 in New York on the 16th is 04:30 UTC on the 17th: the day is the UTC one.
                long t = ZonedDateTime.parse("2026-02-16T23:30:00-05:00").toInstant().toEpochMilli();
                assertThat(WindowSize.ONE_DAY.startOf(t)).as(zone).isEqualTo(at("2026-02-17T00:00:00Z"));
                // Kolkata is +05:30: a local hour boundary is not a UTC one.
                long kolkata = ZonedDateTime.parse("2026-02-16T10:00:00+05:30").toInstant().toEpochMilli();
                assertThat(WindowSize.ONE_HOUR.startOf(kolkata)).as(zone).isEqualTo(at("2026-02-16T04:00:00Z"));
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    @Test
    void negativeEpochMillisFloorTowardsMinusInfinity() {
        assertThat(WindowSize.ONE_MINUTE.startOf(-1)).isEqualTo(-60_000L);
        assertThat(WindowSize.ONE_MINUTE.startOf(-60_000)).isEqualTo(-60_000L);
        assertThat(WindowSize.ONE_MINUTE.startOf(-60_001)).isEqualTo(-120_000L);
        assertThat(WindowSize.FIVE_MINUTES.startOf(-1)).isEqualTo(-300_000L);
        assertThat(WindowSize.ONE_DAY.startOf(at("1969-12-31T23:59:59.999Z"))).isEqualTo(at("1969-12-31T00:00:00Z"));
        assertThat(WindowSize.ONE_HOUR.startOf(at("1969-07-20T20:17:40Z"))).isEqualTo(at("1969-07-20T20:00:00Z"));
        assertThat(WindowSize.ONE_MINUTE.startOf(0)).isEqualTo(0L);
    }

    /** Compares with java.time truncation (an independent oracle) over many random instants, before and after 1970. */
    @Test
    void agreesWithJavaTimeTruncation() {
        Random random = new Random(42);
        long span = at("2100-01-01T00:00:00Z") - at("1900-01-01T00:00:00Z");
        for (int i = 0; i < 20_000; i++) {
            long t = at("1900-01-01T00:00:00Z") + Math.floorMod(random.nextLong(), span);
            Instant instant = Instant.ofEpochMilli(t);
            assertThat(WindowSize.ONE_MINUTE.startOf(t)).isEqualTo(instant.truncatedTo(ChronoUnit.MINUTES).toEpochMilli());
            assertThat(WindowSize.ONE_HOUR.startOf(t)).isEqualTo(instant.truncatedTo(ChronoUnit.HOURS).toEpochMilli());
            assertThat(WindowSize.ONE_DAY.startOf(t)).isEqualTo(instant.truncatedTo(ChronoUnit.DAYS).toEpochMilli());
            ZonedDateTime minute = instant.truncatedTo(ChronoUnit.MINUTES).atZone(ZoneOffset.UTC);
            long fiveMinutes = minute.withMinute(minute.getMinute() / 5 * 5).toInstant().toEpochMilli();
            assertThat(WindowSize.FIVE_MINUTES.startOf(t)).isEqualTo(fiveMinutes);
            for (WindowSize size : WindowSize.values()) {
                long start = size.startOf(t);
                assertThat(t).isGreaterThanOrEqualTo(start).isLessThan(size.endOf(start));
            }
        }
    }

    @Test
    void fromCodeKnowsEveryCode() {
        assertThat(WindowSize.fromCode("1m")).isEqualTo(WindowSize.ONE_MINUTE);
        assertThat(WindowSize.fromCode("5m")).isEqualTo(WindowSize.FIVE_MINUTES);
        assertThat(WindowSize.fromCode("1h")).isEqualTo(WindowSize.ONE_HOUR);
        assertThat(WindowSize.fromCode("1d")).isEqualTo(WindowSize.ONE_DAY);
        assertThat(WindowSize.ONE_MINUTE.millis()).isEqualTo(60_000L);
        assertThat(WindowSize.ONE_DAY.millis()).isEqualTo(86_400_000L);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "2m", "1M", "1H", "60s", "1w", " 1m"})
    void fromCodeRejectsUnknownCodesNamingTheAllowedOnes(String code) {
        assertThatThrownBy(() -> WindowSize.fromCode(code))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("window:")
                .hasMessageContaining("1m")
                .hasMessageContaining("5m")
                .hasMessageContaining("1h")
                .hasMessageContaining("1d")
                .hasMessageContaining(String.valueOf(code));
    }
}
