package io.analytics.core.metric;

/**
 * What one batch of events adds to one cell: events counted, the sum of their {@code amount}, the
 * sketch of the users seen ({@link CellKey#ALL_TYPES} cells) and the sketch of the amounts (cells of
 * one event type), each null when there is nothing in it. Journaled: entries written before the
 * amounts sketch existed read back with {@code amounts} null.
 */
public record CellDelta(CellKey key, long count, double amount, byte[] users, byte[] amounts) {

    public CellDelta(CellKey key, long count, double amount, byte[] users) {
        this(key, count, amount, users, null);
    }
}
