package io.analytics.core.metric;

import io.analytics.core.window.WindowSize;
import java.util.Objects;

/**
 * Address of one pre-aggregated metric cell: a window of one size, one value of one dimension, and one
 * event type, or {@link #ALL_TYPES} for the cell that sees every event (and so counts unique users), or
 * {@link #LATE} for the late events that arrived in the window.
 */
public record CellKey(
        String projectId,
        WindowSize window,
        long windowStart,
        String dimension,
        String dimensionValue,
        String eventType) {

    public static final String ALL_TYPES = "*";
    /**
     * The cells counting late events (beyond the allowed lateness), filed under the window in which
     * they arrived, not the one they belong to. Not a valid event type, so it cannot collide.
     */
    public static final String LATE = "!late";

    public boolean allTypes() {
        return ALL_TYPES.equals(eventType);
    }

    public long windowEnd() {
        return window.endOf(windowStart);
    }

    /**
     * Written out rather than generated: cells are looked up by key for every delta, and a record's
     * generated equality goes through method handles, which cost many times more in code the JIT has
     * not yet fully compiled.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof CellKey k && windowStart == k.windowStart && window == k.window
                && Objects.equals(eventType, k.eventType) && Objects.equals(dimensionValue, k.dimensionValue)
                && Objects.equals(dimension, k.dimension) && Objects.equals(projectId, k.projectId);
    }

    @Override
    public int hashCode() {
        int hash = Objects.hashCode(projectId);
        hash = hash * 31 + Objects.hashCode(window);
        hash = hash * 31 + Long.hashCode(windowStart);
        hash = hash * 31 + Objects.hashCode(dimension);
        hash = hash * 31 + Objects.hashCode(dimensionValue);
        return hash * 31 + Objects.hashCode(eventType);
    }

    /** The cell of the same group in the window of size {@code size} that contains this one. */
    public CellKey resized(WindowSize size) {
        return new CellKey(projectId, size, size.startOf(windowStart), dimension, dimensionValue, eventType);
    }
}
