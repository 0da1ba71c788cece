package io.analytics.core.metric;

/**
 * Running totals of one cell, updated in place by the single owner that holds it (an entity or a
 * batch aggregator). Callers needing an immutable view take {@link #toDelta(CellKey)} or {@link #value}.
 */
public final class MetricCell {

    private long count;
    private double amount;
    private UniqueUsers users;
    private AmountDistribution amounts;

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

    /** Adds an amount to the cell's distribution (for percentiles). */
    public void addToDistribution(double eventAmount) {
        amounts().add(eventAmount);
    }

    public void merge(CellDelta delta) {
        count += delta.count();
        amount += delta.amount();
        if (delta.users() != null) {
            users().merge(delta.users());
        }
        if (delta.amounts() != null) {
            amounts().merge(delta.amounts());
        }
        addValues(delta);
    }

    /** Adds the users' hashes and the amounts a delta carries as they came: the updates its events made. */
    void addValues(CellDelta delta) {
        if (delta.userHashes() != null) {
            for (long userHash : delta.userHashes()) {
                users().add(userHash);
            }
        }
        if (delta.amountValues() != null) {
            for (double value : delta.amountValues()) {
                amounts().add(value);
            }
        }
    }

    /** Adds another cell's totals and sketches in memory (the other cell is not changed). */
    public void merge(MetricCell other) {
        count += other.count;
        amount += other.amount;
        if (other.users != null) {
            users().merge(other.users);
        }
        if (other.amounts != null) {
            amounts().merge(other.amounts);
        }
    }

    /** Rebuilds a cell from its absolute totals, as taken by {@link #toDelta(CellKey)}. */
    public static MetricCell of(CellDelta totals) {
        MetricCell cell = new MetricCell();
        cell.merge(totals);
        return cell;
    }

    /**
     * A delta's totals over its sketches read once, to be merged into the several cells it rolls up
     * into: only ever the argument of {@link #merge(MetricCell)}, never added to itself. What the delta
     * carries as it came is left out: {@link #addValues} adds that.
     */
    static MetricCell view(CellDelta delta) {
        MetricCell cell = new MetricCell();
        cell.count = delta.count();
        cell.amount = delta.amount();
        cell.users = delta.users() == null ? null : UniqueUsers.view(delta.users());
        cell.amounts = delta.amounts() == null ? null : AmountDistribution.view(delta.amounts());
        return cell;
    }

    public MetricCell copy(CellKey key) {
        return of(toDelta(key));
    }

    public CellDelta toDelta(CellKey key) {
        return new CellDelta(key, count, amount, usersBytes(), amountsBytes());
    }

    /** The cell's value with both sketches, as the read model stores it. */
    public CellValue value(CellKey key) {
        return new CellValue(key, count, amount, uniqueUsers(), usersBytes(), amountsBytes());
    }

    /** The cell's value with only the sketch {@code metric} needs: serialising sketches is what a query costs. */
    public CellValue value(CellKey key, Metric metric) {
        return new CellValue(key, count, amount, uniqueUsers(),
                metric == Metric.UNIQUE_USERS ? usersBytes() : null,
                metric == Metric.AMOUNT_PERCENTILES ? amountsBytes() : null);
    }

    public double amount() {
        return amount;
    }

    public double uniqueUsers() {
        return users == null ? 0 : users.estimate();
    }

    /** p50, p95 and p99 of the amounts added, or null when there are none. */
    public MetricSeries.Percentiles percentiles() {
        if (amounts == null || amounts.isEmpty()) {
            return null;
        }
        return new MetricSeries.Percentiles(amounts.quantile(0.50), amounts.quantile(0.95), amounts.quantile(0.99),
                amounts.count());
    }

    private byte[] usersBytes() {
        return users == null || users.isEmpty() ? null : users.toBytes();
    }

    private byte[] amountsBytes() {
        return amounts == null || amounts.isEmpty() ? null : amounts.toBytes();
    }

    private UniqueUsers users() {
        if (users == null) {
            users = UniqueUsers.empty();
        }
        return users;
    }

    private AmountDistribution amounts() {
        if (amounts == null) {
            amounts = AmountDistribution.empty();
        }
        return amounts;
    }
}
