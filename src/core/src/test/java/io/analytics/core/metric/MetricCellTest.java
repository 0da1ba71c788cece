package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.analytics.core.window.WindowSize;
import org.junit.jupiter.api.Test;

class MetricCellTest {

    private static final CellKey KEY = new CellKey("proj", WindowSize.ONE_MINUTE, 0L, "", null, CellKey.ALL_TYPES);

    @Test
    void addCountsSumsAndTracksUsersOnlyWhenAsked() {
        MetricCell cell = new MetricCell();
        add(cell, 10.5, "u1", true);
        add(cell, null, "u2", true);
        add(cell, 2.0, "u1", true);
        add(cell, 1.0, "u9", false);
        add(cell, null, null, true);
        CellValue value = cell.value(KEY);
        assertThat(value.key()).isEqualTo(KEY);
        assertThat(value.count()).isEqualTo(5);
        assertThat(value.amount()).isCloseTo(13.5, within(1e-12));
        assertThat(Math.round(value.uniqueUsers())).isEqualTo(2);
    }

    @Test
    void emptyCellHasNoSketch() {
        MetricCell cell = new MetricCell();
        add(cell, 1.0, "u1", false);
        CellDelta delta = cell.toDelta(KEY);
        assertThat(delta.users()).isNull();
        assertThat(delta.count()).isEqualTo(1);
        assertThat(cell.value(KEY).uniqueUsers()).isZero();
    }

    @Test
    void mergingDeltasOfTwoHalvesEqualsAggregatingTheWhole() {
        MetricCell whole = new MetricCell();
        MetricCell first = new MetricCell();
        MetricCell second = new MetricCell();
        // users 0..199 in the first half, 150..349 in the second: 350 distinct, 50 shared
        for (int i = 0; i < 200; i++) {
            add(whole, i * 0.5, "user_" + i, true);
            add(first, i * 0.5, "user_" + i, true);
        }
        for (int i = 150; i < 350; i++) {
            add(whole, 1.25, "user_" + i, true);
            add(second, 1.25, "user_" + i, true);
        }
        MetricCell merged = new MetricCell();
        merged.merge(first.toDelta(KEY));
        merged.merge(second.toDelta(KEY));

        double expectedAmount = 0.5 * (199 * 200 / 2.0) + 1.25 * 200;
        assertThat(merged.value(KEY).count()).isEqualTo(400).isEqualTo(whole.value(KEY).count());
        assertThat(merged.value(KEY).amount()).isCloseTo(expectedAmount, within(1e-9));
        assertThat(whole.value(KEY).amount()).isCloseTo(expectedAmount, within(1e-9));
        assertThat(Math.round(merged.value(KEY).uniqueUsers())).isEqualTo(350);
        assertThat(Math.round(whole.value(KEY).uniqueUsers())).isEqualTo(350);
    }

    @Test
    void ofRebuildsFromTotalsAndCopyIsIndependent() {
        MetricCell cell = new MetricCell();
        for (int i = 0; i < 30; i++) {
            add(cell, 1.0, "u" + (i % 10), true);
        }
        MetricCell rebuilt = MetricCell.of(cell.toDelta(KEY));
        assertThat(rebuilt.value(KEY).count()).isEqualTo(30);
        assertThat(rebuilt.value(KEY).amount()).isEqualTo(30.0);
        assertThat(Math.round(rebuilt.value(KEY).uniqueUsers())).isEqualTo(10);

        MetricCell copy = cell.copy(KEY);
        add(copy, 5.0, "new_user", true);
        assertThat(cell.value(KEY).count()).isEqualTo(30);
        assertThat(Math.round(cell.value(KEY).uniqueUsers())).isEqualTo(10);
        assertThat(copy.value(KEY).count()).isEqualTo(31);
        assertThat(Math.round(copy.value(KEY).uniqueUsers())).isEqualTo(11);
    }

    @Test
    void mergingTheSameUsersAgainDoesNotInflateUniques() {
        MetricCell a = new MetricCell();
        for (int i = 0; i < 100; i++) {
            add(a, null, "u" + i, true);
        }
        CellDelta delta = a.toDelta(KEY);
        MetricCell target = new MetricCell();
        target.merge(delta);
        target.merge(delta);
        assertThat(target.value(KEY).count()).isEqualTo(200);
        assertThat(Math.round(target.value(KEY).uniqueUsers())).isEqualTo(100);
    }

    /** Adds one event to a cell as the aggregator does: its amount, and its user when users are tracked. */
    private static void add(MetricCell cell, Double amount, String user, boolean trackUsers) {
        cell.add(amount);
        if (trackUsers && user != null) {
            cell.addUser(UniqueUsers.hash(user));
        }
    }
}
