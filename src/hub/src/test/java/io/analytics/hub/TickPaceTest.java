package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TickPaceTest {

    private static final NodeLoad KEEPING_UP = new NodeLoad(Duration.ofMillis(15), Duration.ofMillis(150));
    private static final NodeLoad FAR_BEHIND = pipelineDelay(Duration.ofSeconds(5));

    private final TickPace pace = new TickPace(Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(1));

    @Test
    void aPipelineKeepingUpGetsARoundEveryTick() {
        assertThat(rounds(0, 8, KEEPING_UP)).containsExactly(0L, 250L, 500L, 750L, 1000L, 1250L, 1500L, 1750L);
        assertThat(pace.behind()).isFalse();
    }

    @Test
    void aPipelineBehindGetsARoundEveryBehindTick() {
        rounds(0, 8, FAR_BEHIND);
        assertThat(pace.behind()).isTrue();

        assertThat(rounds(2000, 12, FAR_BEHIND)).containsExactly(2000L, 3000L, 4000L);
    }

    @Test
    void oneLateBatchDoesNotSlowTheRounds() {
        rounds(0, 8, KEEPING_UP);
        pace.startRound(2000, pipelineDelay(Duration.ofSeconds(2)));

        assertThat(pace.behind()).isFalse();
    }

    @Test
    void behindEndsOnlyUnderHalfTheThreshold() {
        rounds(0, 8, FAR_BEHIND);
        rounds(2000, 20, pipelineDelay(Duration.ofMillis(700)));
        assertThat(pace.behind()).as("700 ms is under 1 s but over half of it").isTrue();

        rounds(7000, 12, KEEPING_UP);
        assertThat(pace.behind()).isFalse();
        assertThat(rounds(10_000, 4, KEEPING_UP)).hasSize(4);
    }

    @Test
    void anIngestWaitingLongForKafkaIsBehindToo() {
        rounds(0, 8, new NodeLoad(Duration.ofMillis(80), Duration.ofMillis(200)));

        assertThat(pace.behind()).isTrue();
    }

    @Test
    void eachSignalIsJudgedAgainstItsOwnThreshold() {
        rounds(0, 8, new NodeLoad(Duration.ofMillis(40), Duration.ofMillis(800)));

        assertThat(pace.behind()).as("80% of one threshold and 80% of the other are not behind").isFalse();
    }

    @Test
    void aTimerFiringALittleEarlyStillStartsTheBehindRound() {
        rounds(0, 8, FAR_BEHIND);
        assertThat(pace.startRound(3000, FAR_BEHIND)).isTrue();

        assertThat(pace.startRound(3990, FAR_BEHIND)).isTrue();
    }

    private static NodeLoad pipelineDelay(Duration delay) {
        return new NodeLoad(Duration.ZERO, delay);
    }

    /** The rounds started by {@code ticks} ticks 250 ms apart from {@code start}, each reading {@code load}. */
    private List<Long> rounds(long start, int ticks, NodeLoad load) {
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
