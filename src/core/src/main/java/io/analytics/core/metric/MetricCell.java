package io.analytics.core.metric;

/**
 * Running totals of one cell, updated in place by the single owner that holds it (an entity or a
 * batch aggregator). Callers needing an immutable view take {@link #toDelta(CellKey)} or {@link #value}.
 */
public final class MetricCell {

    private long count;
    private double amount;
    private UniqueUsers users;

    public void add(Double eventAmount) {
        count++;
        if (eventAmount != null) {
            amount += eventAmount;
        }
    }

    /** Counts a user, given as {@link UniqueUsers#hash(String)}. */
    public void addUser(long userHash) {
        users().add(userHash);
    }

    public void merge(CellDelta delta) {
        count += delta.count();
        amount += delta.amount();
        if (delta.users() != null) {
            users().merge(delta.users());
        }
    }

    /** Rebuilds a cell from its absolute totals, as taken by {@link #toDelta(CellKey)}. */
    public static MetricCell of(CellDelta totals) {
        MetricCell cell = new MetricCell();
        cell.merge(totals);
        return cell;
    }

    public MetricCell copy(CellKey key) {
        return of(toDelta(key));
    }

    public CellDelta toDelta(CellKey key) {
        return new CellDelta(key, count, amount, users == null || users.isEmpty() ? null : users.toBytes());
    }

    public CellValue value(CellKey key) {
        return new CellValue(key, count, amount, users == null ? 0 : users.estimate());
    }

    private UniqueUsers users() {
        if (users == null) {
            users = UniqueUsers.empty();
        }
        return users;
    }
}
