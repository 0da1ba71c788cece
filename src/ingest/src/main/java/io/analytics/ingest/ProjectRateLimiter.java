package io.analytics.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A token bucket per project: {@code eventsPerSecond} sustained, {@code burst} at once. A batch
 * takes as many tokens as it has events; a batch larger than what is left is refused whole.
 */
public final class ProjectRateLimiter {

    private final double eventsPerSecond;
    private final double burst;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public ProjectRateLimiter(double eventsPerSecond, double burst) {
        this.eventsPerSecond = eventsPerSecond;
        this.burst = burst;
    }

    public boolean tryAcquire(String projectId, int events) {
        return buckets.computeIfAbsent(projectId, p -> new Bucket(burst)).tryTake(events, eventsPerSecond, burst);
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt = System.nanoTime();

        Bucket(double tokens) {
            this.tokens = tokens;
        }

        synchronized boolean tryTake(int events, double perSecond, double burst) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
            if (tokens < events) {
                return false;
            }
            tokens -= events;
            return true;
        }
    }
}
