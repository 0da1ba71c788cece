package io.analytics.hub;

import io.analytics.core.window.WindowSize;
import java.time.Duration;

/** The span of event time a live series shows, moving with the clock. */
public sealed interface LiveRange {

    /** The windows of {@code window} size covering [start, end) at time {@code now}; the current window is included. */
    TimeRange at(long now, WindowSize window);

    /** The last {@code span}, ending with the window that holds now. */
    record Last(Duration span) implements LiveRange {
        public Last {
            if (span.isNegative() || span.isZero()) {
                throw new IllegalArgumentException("a live range must be longer than zero, got " + span);
            }
        }

        @Override
        public TimeRange at(long now, WindowSize window) {
            long end = window.endOf(window.startOf(now));
            return new TimeRange(window.startOf(end - span.toMillis()), end);
        }
    }

    /** The current UTC day. */
    record Today() implements LiveRange {
        @Override
        public TimeRange at(long now, WindowSize window) {
            long day = WindowSize.ONE_DAY.startOf(now);
            return new TimeRange(day, WindowSize.ONE_DAY.endOf(day));
        }
    }

    /** [start, end) in epoch milliseconds. */
    record TimeRange(long start, long end) {}
}
