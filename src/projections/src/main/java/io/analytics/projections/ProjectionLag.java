package io.analytics.projections;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a projection is behind its journal: the time between an event being written and the
 * projection handling it, for the last event handled, and how many it has handled since start.
 */
public final class ProjectionLag {

    private final String name;
    private final Clock clock;
    private final AtomicLong lastLagMillis = new AtomicLong(-1);
    private final AtomicLong lastEventWrittenAt = new AtomicLong(-1);
    private final AtomicLong handled = new AtomicLong();

    public ProjectionLag(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
    }

    void handled(long eventWrittenAt) {
        handled(eventWrittenAt, 1);
    }

    /** {@code events} handled at once, the last of them written at {@code lastWrittenAt}. */
    void handled(long lastWrittenAt, int events) {
        lastEventWrittenAt.set(lastWrittenAt);
        lastLagMillis.set(clock.millis() - lastWrittenAt);
        handled.addAndGet(events);
    }

    public String name() {
        return name;
    }

    /** Lag of the last event handled, in milliseconds; -1 before the first. */
    public long lagMillis() {
        return lastLagMillis.get();
    }

    public long lastEventWrittenAt() {
        return lastEventWrittenAt.get();
    }

    public long eventsHandled() {
        return handled.get();
    }
}
