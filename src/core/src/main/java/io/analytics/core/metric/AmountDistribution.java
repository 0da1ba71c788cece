package io.analytics.core.metric;

import java.util.Arrays;
import org.apache.datasketches.common.SketchesArgumentException;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.apache.datasketches.quantilescommon.QuantilesDoublesSketchIterator;
import org.apache.datasketches.quantilescommon.QuantilesUtil;

/**
 * The distribution of {@code amount} in a cell, as a KLL quantiles sketch (Apache DataSketches).
 * Sketches merge, so percentiles of any union of cells, partitions and windows are as accurate as
 * those of one cell. With k = 200 a returned quantile's rank is within {@link #RANK_ERROR} of the
 * asked rank with 99% confidence; up to k amounts the sketch keeps every value and is exact.
 *
 * <p>Up to k amounts are kept in a plain array that grows with them instead: a heap KLL sketch
 * allocates room for k values from its first (about 1.7 KB), and most cells of a minute and a
 * dimension value hold one or a few amounts. The array answers exactly as the sketch would, and
 * its bytes are the sketch's; the k + 1st amount replays it into a sketch.
 */
public final class AmountDistribution {

    public static final int K = 200;
    /** Normalised rank error of a single quantile at k = {@value #K}, 99% confidence. */
    public static final double RANK_ERROR = KllDoublesSketch.getNormalizedRankError(K, false);

    private static final double[] NONE = new double[0];

    /** The amounts in the order they came, while there are at most {@value #K}; null once {@link #sketch} is set. */
    private double[] exact = NONE;
    private int size;
    private KllDoublesSketch sketch;

    private AmountDistribution() {}

    public static AmountDistribution empty() {
        return new AmountDistribution();
    }

    public static AmountDistribution fromBytes(byte[] bytes) {
        AmountDistribution distribution = new AmountDistribution();
        KllDoublesSketch stored = KllDoublesSketch.wrap(Memory.wrap(bytes));
        if (stored.isEstimationMode()) {
            distribution.sketch = KllDoublesSketch.heapify(Memory.wrap(bytes));
        } else {
            distribution.addAll(stored);
        }
        return distribution;
    }

    public void add(double amount) {
        if (sketch != null) {
            sketch.update(amount);
        } else if (size == K) {
            toSketch().update(amount);
        } else if (!Double.isNaN(amount)) {
            // The sketch ignores NaN; so must the array, to answer as it would.
            ensureRoom(1);
            exact[size++] = amount;
        }
    }

    public void merge(byte[] other) {
        KllDoublesSketch stored = KllDoublesSketch.wrap(Memory.wrap(other));
        if (stored.isEstimationMode()) {
            toSketch().merge(stored);
        } else {
            addAll(stored);
        }
    }

    /** Adds another cell's amounts without a round trip through bytes. */
    public void merge(AmountDistribution other) {
        if (other.sketch != null) {
            toSketch().merge(other.sketch);
            return;
        }
        for (int i = 0; i < other.size; i++) {
            add(other.exact[i]);
        }
    }

    public boolean isEmpty() {
        return sketch == null ? size == 0 : sketch.isEmpty();
    }

    public long count() {
        return sketch == null ? size : sketch.getN();
    }

    /** The amount at normalised rank {@code rank} (0.5 = median), counting values equal to it as below. */
    public double quantile(double rank) {
        if (sketch != null) {
            return sketch.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE);
        }
        QuantilesUtil.checkNormalizedRankBounds(rank);
        if (size == 0) {
            throw new SketchesArgumentException("no amounts to take a quantile of");
        }
        double[] sorted = Arrays.copyOf(exact, size);
        Arrays.sort(sorted);
        // The sketch's own rounding of the rank, so that the array picks the value the sketch would.
        long naturalRank = (long) QuantilesUtil.getNaturalRank(rank, size, QuantileSearchCriteria.INCLUSIVE);
        return sorted[(int) Math.max(0, naturalRank - 1)];
    }

    /** The sketch's compact bytes, whichever form holds the amounts: stored cells and deltas keep one format. */
    public byte[] toBytes() {
        return (sketch == null ? replayed() : sketch).toByteArray();
    }

    /**
     * Adds the amounts of an exact sketch. It lists its values newest first; filling from the end
     * restores their order, so that a cell read back from bytes writes the same bytes.
     */
    private void addAll(KllDoublesSketch stored) {
        int n = (int) stored.getN();
        if (sketch != null || size + n > K) {
            toSketch().merge(stored);
            return;
        }
        ensureRoom(n);
        QuantilesDoublesSketchIterator values = stored.iterator();
        for (int i = size + n - 1; values.next(); i--) {
            exact[i] = values.getQuantile();
        }
        size += n;
    }

    /** Grows the array by doubling, up to {@value #K}, so that filling it copies each value about once. */
    private void ensureRoom(int more) {
        if (size + more > exact.length) {
            exact = Arrays.copyOf(exact, Math.min(K, Math.max(size + more, 2 * exact.length)));
        }
    }

    private KllDoublesSketch toSketch() {
        if (sketch == null) {
            sketch = replayed();
            exact = null;
        }
        return sketch;
    }

    /** A sketch fed the exact amounts in their order: the very sketch those updates would have built. */
    private KllDoublesSketch replayed() {
        KllDoublesSketch replay = KllDoublesSketch.newHeapInstance(K);
        for (int i = 0; i < size; i++) {
            replay.update(exact[i]);
        }
        return replay;
    }
}
