package io.analytics.stream.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumerMetersTest {

    private static final Duration IDLE_AFTER = Duration.ofSeconds(2);

    private final SteppedClock clock = new SteppedClock(1_000_000);
    private final ConsumerMeters meters = new ConsumerMeters(new SimpleMeterRegistry(), clock);

    @Test
    void nothingAppliedYetIsNoDelay() {
        assertThat(meters.delay(IDLE_AFTER)).isZero();
    }

    @Test
    void theDelayIsTheAgeOfTheLatestBatchsOldestRecord() {
        apply(0, clock.millis() - 3_000);
        apply(1, clock.millis() - 400);

        assertThat(meters.delay(IDLE_AFTER)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aPipelineThatAppliedNothingForAWhileIsNotBehind() {
        apply(0, clock.millis() - 5_000);
        clock.advance(1_999);
        assertThat(meters.delay(IDLE_AFTER)).isEqualTo(Duration.ofSeconds(5));

        clock.advance(2);
        assertThat(meters.delay(IDLE_AFTER)).isZero();
    }

    private void apply(int partition, long oldestRecordTimestamp) {
        meters.applied(partition, Map.of("page_view", 1L), 0, oldestRecordTimestamp, Long.MIN_VALUE, System.nanoTime());
    }

    private static final class SteppedClock extends Clock {
        private long millis;

        SteppedClock(long millis) {
            this.millis = millis;
        }

        void advance(long by) {
            millis += by;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
