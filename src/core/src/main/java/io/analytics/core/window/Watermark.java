package io.analytics.core.window;

/**
 * Event-time progress of one source partition: the largest event time seen minus the allowed
 * lateness. A window is closed once its end is at or before the watermark; it then takes no more
 * events, and an event that arrives for it is late.
 *
 * <p>The watermark advances record by record in offset order, never by arrival time, so the same
 * records always produce the same windows, however they are batched or replayed.
 */
public record Watermark(long maxEventTime, long allowedLateness) {

    /** Before any event: nothing is closed. */
    public static Watermark initial(long allowedLateness) {
        return new Watermark(Long.MIN_VALUE, allowedLateness);
    }

    public long value() {
        return maxEventTime < Long.MIN_VALUE + allowedLateness ? Long.MIN_VALUE : maxEventTime - allowedLateness;
    }

    public boolean isClosed(WindowSize size, long windowStart) {
        return size.endOf(windowStart) <= value();
    }

    public Watermark advance(long eventTime) {
        return eventTime > maxEventTime ? new Watermark(eventTime, allowedLateness) : this;
    }
}
