package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.window.WindowSize;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowCellsTest {

    private static final long T = Instant.parse("2026-02-16T10:31:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;

    private static CellKey key(WindowSize size, long time, String country, String type) {
        return new CellKey("p", size, size.startOf(time), "country", country, type);
    }

    private static CellDelta purchases(WindowSize size, long time, String country, long count) {
        return new CellDelta(key(size, time, country, "purchase_completed"), count, count * 10.0, null);
    }

    @Test
    void aDeltaRollsUpIntoEveryLargerWindowContainingIt() {
        WindowCells cells = WindowCells.rolledUp(List.of(purchases(WindowSize.ONE_MINUTE, T, "US", 2),
                purchases(WindowSize.ONE_MINUTE, T + MINUTE, "US", 3), purchases(WindowSize.ONE_HOUR, T, "US", 5)));

        assertThat(cells.get(key(WindowSize.ONE_MINUTE, T, "US", "purchase_completed")).value(null).count()).isEqualTo(2);
        assertThat(cells.get(key(WindowSize.FIVE_MINUTES, T, "US", "purchase_completed")).value(null).count()).isEqualTo(5);
        assertThat(cells.get(key(WindowSize.ONE_HOUR, T, "US", "purchase_completed")).value(null).count()).isEqualTo(10);
        assertThat(cells.get(key(WindowSize.ONE_DAY, T, "US", "purchase_completed")).value(null).count()).isEqualTo(10);
        assertThat(cells.size()).isEqualTo(5);
    }

    @Test
    void addingExactlyDoesNotRollUp() {
        WindowCells cells = new WindowCells();
        cells.addExactly(purchases(WindowSize.ONE_MINUTE, T, "US", 2));
        cells.addExactly(purchases(WindowSize.ONE_MINUTE, T, "US", 1));

        assertThat(cells.size()).isEqualTo(1);
        assertThat(cells.get(key(WindowSize.ONE_MINUTE, T, "US", "purchase_completed")).value(null).count()).isEqualTo(3);
    }

    @Test
    void aQueryReadsOnlyItsSeriesAndRange() {
        WindowCells cells = WindowCells.rolledUp(List.of(purchases(WindowSize.ONE_MINUTE, T, "US", 2),
                purchases(WindowSize.ONE_MINUTE, T, "DE", 1), purchases(WindowSize.ONE_MINUTE, T + 10 * MINUTE, "US", 4),
                new CellDelta(key(WindowSize.ONE_MINUTE, T, "US", CellKey.ALL_TYPES), 7, 0, null)));

        List<CellValue> orders = cells.select(new MetricQuery("p", Metric.ORDERS, WindowSize.ONE_MINUTE, T, T + 5 * MINUTE,
                new Dimension("country"), null));

        assertThat(orders).extracting(v -> v.key().dimensionValue() + "=" + v.count()).containsExactlyInAnyOrder("US=2", "DE=1");
        assertThat(orders).allSatisfy(v -> assertThat(v.key()).isEqualTo(key(WindowSize.ONE_MINUTE, T,
                v.key().dimensionValue(), "purchase_completed")));
        assertThat(cells.select(new MetricQuery("other", Metric.ORDERS, WindowSize.ONE_MINUTE, T, T + MINUTE,
                new Dimension("country"), null))).isEmpty();
    }

    @Test
    void closingAndReleasingGoByWindowEnd() {
        WindowCells cells = WindowCells.rolledUp(List.of(purchases(WindowSize.ONE_MINUTE, T, "US", 2)));
        long minuteEnd = WindowSize.ONE_MINUTE.endOf(WindowSize.ONE_MINUTE.startOf(T));
        long fiveEnd = WindowSize.FIVE_MINUTES.endOf(WindowSize.FIVE_MINUTES.startOf(T));

        assertThat(cells.hasWindowEndingIn(Long.MIN_VALUE, minuteEnd - 1)).isFalse();
        assertThat(cells.hasWindowEndingIn(minuteEnd - 1, minuteEnd)).isTrue();
        assertThat(cells.hasWindowEndingIn(minuteEnd, fiveEnd - 1)).isFalse();

        WindowCells closed = cells.copyEndingBy(fiveEnd);
        closed.add(purchases(WindowSize.ONE_MINUTE, T, "US", 1));
        assertThat(closed.valuesEndingBy(fiveEnd)).extracting(v -> v.key().window() + "=" + v.count())
                .containsExactlyInAnyOrder("ONE_MINUTE=3", "FIVE_MINUTES=3");
        assertThat(cells.get(key(WindowSize.ONE_MINUTE, T, "US", "purchase_completed")).value(null).count())
                .as("copies, not the held cells").isEqualTo(2);

        cells.releaseEndingBy(minuteEnd);
        assertThat(cells.size()).isEqualTo(3);
        assertThat(cells.get(key(WindowSize.ONE_MINUTE, T, "US", "purchase_completed"))).isNull();
    }

    @Test
    void aCellPutInPlaceOfAnotherStillTakesTheRollUpOfTheSmallerWindows() {
        WindowCells cells = WindowCells.rolledUp(List.of(purchases(WindowSize.ONE_MINUTE, T, "US", 2)));
        cells.put(key(WindowSize.FIVE_MINUTES, T, "US", "purchase_completed"), MetricCell.of(purchases(WindowSize.FIVE_MINUTES, T, "US", 100)));

        cells.add(purchases(WindowSize.ONE_MINUTE, T, "US", 1));

        assertThat(usPurchases(cells, WindowSize.FIVE_MINUTES, T)).isEqualTo(101);
        assertThat(usPurchases(cells, WindowSize.ONE_DAY, T)).isEqualTo(3);
    }

    @Test
    void aReleasedMinuteAddedToAgainRollsUpIntoTheLargerWindowsStillHeld() {
        WindowCells cells = WindowCells.rolledUp(List.of(purchases(WindowSize.ONE_MINUTE, T, "US", 2)));
        cells.releaseEndingBy(WindowSize.ONE_MINUTE.endOf(WindowSize.ONE_MINUTE.startOf(T)));

        cells.add(purchases(WindowSize.ONE_MINUTE, T, "US", 1));

        assertThat(usPurchases(cells, WindowSize.ONE_MINUTE, T)).isEqualTo(1);
        assertThat(usPurchases(cells, WindowSize.FIVE_MINUTES, T)).isEqualTo(3);
        assertThat(usPurchases(cells, WindowSize.ONE_HOUR, T)).isEqualTo(3);
        assertThat(cells.size()).isEqualTo(4);
    }

    @Test
    void deltasOfOneGroupInTurnAcrossHoursAndDaysEachReachTheirOwnCells() {
        long hour = 60 * MINUTE;
        long day = 24 * hour;
        WindowCells cells = WindowCells.rolledUp(List.of(purchases(WindowSize.ONE_MINUTE, T, "US", 1),
                purchases(WindowSize.ONE_MINUTE, T + 2 * hour, "US", 2), purchases(WindowSize.ONE_MINUTE, T, "US", 4),
                purchases(WindowSize.FIVE_MINUTES, T + 2 * hour, "US", 8), purchases(WindowSize.ONE_MINUTE, T + day, "US", 16),
                purchases(WindowSize.ONE_MINUTE, T + 6 * MINUTE, "US", 32)));

        assertThat(usPurchases(cells, WindowSize.ONE_MINUTE, T)).isEqualTo(5);
        assertThat(usPurchases(cells, WindowSize.FIVE_MINUTES, T)).isEqualTo(5);
        assertThat(usPurchases(cells, WindowSize.FIVE_MINUTES, T + 6 * MINUTE)).isEqualTo(32);
        assertThat(usPurchases(cells, WindowSize.FIVE_MINUTES, T + 2 * hour)).isEqualTo(10);
        assertThat(usPurchases(cells, WindowSize.ONE_HOUR, T)).isEqualTo(37);
        assertThat(usPurchases(cells, WindowSize.ONE_DAY, T)).isEqualTo(47);
        assertThat(usPurchases(cells, WindowSize.ONE_DAY, T + day)).isEqualTo(16);
    }

    private static long usPurchases(WindowCells cells, WindowSize size, long time) {
        return cells.get(key(size, time, "US", "purchase_completed")).value(null).count();
    }
}
