package io.analytics.projections;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a projection is behind its journal: the time between an event being written and the
 * projection handling it, for the last event handled, and how many it has handled since start.
 */
public final class ProjectionLag implements MeterBinder {

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

    /** {@code analytics_projection_lag_seconds} and {@code analytics_projection_events_handled_total}, labelled by projection. */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("analytics.projection.lag", this, lag -> lag.lagMillis() < 0 ? Double.NaN : lag.lagMillis() / 1000.0)
                .description("time between the last handled event being journaled and the projection handling it")
                .baseUnit("seconds")
                .tag("projection", name)
                .register(registry);
        FunctionCounter.builder("analytics.projection.events.handled", handled, AtomicLong::doubleValue)
                .description("journal events handled by the projection since the node started")
                .tag("projection", name)
                .register(registry);
    }
}
