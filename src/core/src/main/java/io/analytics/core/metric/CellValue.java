package io.analytics.core.metric;

/**
 * An immutable reading of one cell: the unit that read models store and queries combine. Queries
 * union the sketches ({@code users}, {@code amounts}) rather than adding estimates, so a value that
 * spans partitions or windows is as accurate as one cell. {@code uniqueUsers} is this cell's own
 * estimate; it is what read-model rows written before sketches were stored still have.
 */
public record CellValue(CellKey key, long count, double amount, double uniqueUsers, byte[] users, byte[] amounts) {

    public CellValue(CellKey key, long count, double amount, double uniqueUsers) {
        this(key, count, amount, uniqueUsers, null, null);
    }
}
