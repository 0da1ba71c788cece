package io.analytics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProjectRateLimiterTest {

    /** So slow a refill that none can happen while the test runs (one token per 1,000 s). */
    private static final double NO_REFILL = 0.001;

    @Test
    void burstThenRefusal() {
        ProjectRateLimiter limiter = new ProjectRateLimiter(NO_REFILL, 100);
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire("p", 1)).as("event %d of the burst", i).isTrue();
        }
        assertThat(limiter.tryAcquire("p", 1)).isFalse();
    }

    @Test
    void batchLargerThanWhatIsLeftIsRefusedWhole() {
        ProjectRateLimiter limiter = new ProjectRateLimiter(NO_REFILL, 100);
        assertThat(limiter.tryAcquire("p", 60)).isTrue();
        assertThat(limiter.tryAcquire("p", 60)).isFalse();
        // the refused batch took nothing: the 40 left are still there
        assertThat(limiter.tryAcquire("p", 40)).isTrue();
        assertThat(limiter.tryAcquire("p", 1)).isFalse();
    }

    @Test
    void batchLargerThanTheBurstIsNeverAccepted() {
        ProjectRateLimiter limiter = new ProjectRateLimiter(NO_REFILL, 100);
        assertThat(limiter.tryAcquire("p", 101)).isFalse();
        assertThat(limiter.tryAcquire("p", 100)).isTrue();
    }

    @Test
    void projectsHaveSeparateBuckets() {
        ProjectRateLimiter limiter = new ProjectRateLimiter(NO_REFILL, 10);
        assertThat(limiter.tryAcquire("p1", 10)).isTrue();
        assertThat(limiter.tryAcquire("p1", 1)).isFalse();
        assertThat(limiter.tryAcquire("p2", 10)).isTrue();
    }

    @Test
    void tokensComeBackOverTime() {
        // a million tokens a second: the bucket is full again within microseconds
        ProjectRateLimiter limiter = new ProjectRateLimiter(1_000_000, 10);
        assertThat(limiter.tryAcquire("p", 10)).isTrue();
        long deadline = System.nanoTime() + 2_000_000_000L;
        boolean refilled = false;
        while (!refilled && System.nanoTime() < deadline) {
            refilled = limiter.tryAcquire("p", 10);
        }
        assertThat(refilled).isTrue();
    }
}
