package io.analytics.core.metric;

/**
 * What one batch of events adds to one cell: events counted, the sum of their {@code amount}, the
 * users seen ({@link CellKey#ALL_TYPES} cells) and the amounts (cells of one event type).
 *
 * <p>Users and amounts come either as sketches ({@code users}, {@code amounts}) or, for the many
 * cells of a batch that saw a few events (one product in one minute), as they came: the users'
 * hashes ({@code userHashes}, {@link UniqueUsers#hash}) and the amounts ({@code amountValues}).
 * Adding those to a cell makes the very updates its events would have made, where a sketch of them
 * would cost more to build, serialise, read back and merge into each window the cell rolls up into
 * than the handful of updates; out-of-order input multiplies such cells. Each part is null when
 * there is nothing in it. Journaled: entries written before a part existed read back with it null.
 */
public record CellDelta(
        CellKey key, long count, double amount, byte[] users, byte[] amounts, long[] userHashes, double[] amountValues) {

    public CellDelta(CellKey key, long count, double amount, byte[] users, byte[] amounts) {
        this(key, count, amount, users, amounts, null, null);
    }

    public CellDelta(CellKey key, long count, double amount, byte[] users) {
        this(key, count, amount, users, null);
    }
}
