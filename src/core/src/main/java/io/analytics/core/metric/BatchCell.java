package io.analytics.core.metric;

import java.util.Arrays;

/**
 * What a batch adds to one cell while it aggregates. Its users' hashes and its amounts are kept as
 * they come while they are few, and the delta carries them so ({@link CellDelta}); past
 * {@link #MAX_USER_HASHES} users or {@link AmountDistribution#K} amounts (an exact sketch's worth)
 * the cell turns to sketches, whose size no longer grows with what they hold.
 */
final class BatchCell {

    /** Past this many users a sketch (a few bytes a user while small, 16 KB at most) beats 8 bytes a hash. */
    static final int MAX_USER_HASHES = 64;
    private static final long[] NO_USERS = new long[0];
    private static final double[] NO_AMOUNTS = new double[0];

    private long count;
    private double amount;
    /** Distinct users' hashes while at most {@link #MAX_USER_HASHES}; null once {@link #userSketch} holds them. */
    private long[] userHashes = NO_USERS;
    private int userCount;
    private UniqueUsers userSketch;
    /** The amounts in the order they came while at most {@link AmountDistribution#K}; null once {@link #amountSketch} holds them. */
    private double[] amountValues = NO_AMOUNTS;
    private int amountCount;
    private AmountDistribution amountSketch;

    void add(Double eventAmount) {
        count++;
        if (eventAmount != null) {
            amount += eventAmount;
        }
    }

    /** Counts a user, given as {@link UniqueUsers#hash(String)}. */
    void addUser(long userHash) {
        if (userSketch != null) {
            userSketch.add(userHash);
            return;
        }
        for (int i = 0; i < userCount; i++) {
            if (userHashes[i] == userHash) {
                return;
            }
        }
        if (userCount == MAX_USER_HASHES) {
            userSketch = UniqueUsers.empty();
            for (int i = 0; i < userCount; i++) {
                userSketch.add(userHashes[i]);
            }
            userSketch.add(userHash);
            userHashes = null;
            return;
        }
        if (userCount == userHashes.length) {
            userHashes = Arrays.copyOf(userHashes, Math.min(MAX_USER_HASHES, Math.max(4, 2 * userCount)));
        }
        userHashes[userCount++] = userHash;
    }

    /** Adds an amount to the cell's distribution (for percentiles). */
    void addToDistribution(double eventAmount) {
        if (amountSketch != null) {
            amountSketch.add(eventAmount);
            return;
        }
        if (amountCount == AmountDistribution.K) {
            amountSketch = AmountDistribution.empty();
            for (int i = 0; i < amountCount; i++) {
                amountSketch.add(amountValues[i]);
            }
            amountSketch.add(eventAmount);
            amountValues = null;
            return;
        }
        if (amountCount == amountValues.length) {
            amountValues = Arrays.copyOf(amountValues, Math.min(AmountDistribution.K, Math.max(4, 2 * amountCount)));
        }
        amountValues[amountCount++] = eventAmount;
    }

    CellDelta toDelta(CellKey key) {
        return new CellDelta(key, count, amount,
                userSketch == null ? null : userSketch.toBytes(),
                amountSketch == null ? null : amountSketch.toBytes(),
                userCount == 0 || userSketch != null ? null : Arrays.copyOf(userHashes, userCount),
                amountCount == 0 || amountSketch != null ? null : Arrays.copyOf(amountValues, amountCount));
    }
}
