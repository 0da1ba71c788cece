package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TickPaceTest {

    private final TickPace pace = new TickPace(Duration.ofMillis(250), Duration.ofSeconds(1), 0.85);

    @Test
    void anIdleNodeStartsARoundEveryTick() {
        assertThat(rounds(0, 8, 0.5)).containsExactly(0L, 250L, 500L, 750L, 1000L, 1250L, 1500L, 1750L);
        assertThat(pace.busy()).isFalse();
    }

    @Test
    void aBusyNodeStartsARoundEveryBusyTick() {
        rounds(0, 8, 1.0);
        assertThat(pace.busy()).isTrue();

        assertThat(rounds(2000, 12, 1.0)).containsExactly(2000L, 3000L, 4000L);
    }

    @Test
    void oneBusyReadingDoesNotSlowTheRounds() {
        rounds(0, 8, 0.3);
        pace.startRound(2000, 1.0);

        assertThat(pace.busy()).isFalse();
    }

    @Test
    void busyEndsOnlyWellUnderTheThreshold() {
        rounds(0, 8, 1.0);
        rounds(2000, 20, 0.8);
        assertThat(pace.busy()).as("0.8 is under 0.85 but within the margin").isTrue();

        rounds(7000, 12, 0.5);
        assertThat(pace.busy()).isFalse();
        assertThat(rounds(10_000, 4, 0.5)).hasSize(4);
    }

    @Test
    void anUnknownLoadCountsAsIdle() {
        assertThat(rounds(0, 4, -1)).hasSize(4);
        assertThat(pace.busy()).isFalse();
    }

    @Test
    void aTimerFiringALittleEarlyStillStartsTheBusyRound() {
        rounds(0, 8, 1.0);
        assertThat(pace.startRound(3000, 1.0)).isTrue();

        assertThat(pace.startRound(3990, 1.0)).isTrue();
    }

    /** The rounds started by {@code ticks} ticks 250 ms apart from {@code start}, each reading {@code load}. */
    private List<Long> rounds(long start, int ticks, double load) {
        List<Long> started = new ArrayList<>();
        for (int i = 0; i < ticks; i++) {
            long now = start + i * 250L;
            if (pace.startRound(now, load)) {
                started.add(now);
            }
        }
        return started;
    }
}
