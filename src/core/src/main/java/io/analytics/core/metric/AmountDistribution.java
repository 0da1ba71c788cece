package io.analytics.core.metric;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The distribution of {@code amount} in a cell, as a KLL quantiles sketch (Apache DataSketches).
 * Sketches merge, so percentiles of any union of cells, partitions and windows are as accurate as
 * those of one cell. With k = 200 a returned quantile's rank is within {@link #RANK_ERROR} of the
 * asked rank with 99% confidence; up to k amounts the sketch keeps every value and is exact.
 */
public final class AmountDistribution {

    public static final int K = 200;
    /** Normalised rank error of a single quantile at k = {@value #K}, 99% confidence. */
    public static final double RANK_ERROR = KllDoublesSketch.getNormalizedRankError(K, false);

    private final KllDoublesSketch sketch;

    private AmountDistribution(KllDoublesSketch sketch) {
        this.sketch = sketch;
    }

    public static AmountDistribution empty() {
        return new AmountDistribution(KllDoublesSketch.newHeapInstance(K));
    }

    public static AmountDistribution fromBytes(byte[] bytes) {
        return new AmountDistribution(KllDoublesSketch.heapify(Memory.wrap(bytes)));
    }

    /** The amounts of a journaled sketch, read in place without a copy: to merge into other cells' only. */
    static AmountDistribution view(byte[] bytes) {
        return new AmountDistribution(KllDoublesSketch.wrap(Memory.wrap(bytes)));
    }

    public void add(double amount) {
        sketch.update(amount);
    }

    public void merge(byte[] other) {
        sketch.merge(KllDoublesSketch.wrap(Memory.wrap(other)));
    }

    /** Adds another cell's amounts without a round trip through bytes. */
    public void merge(AmountDistribution other) {
        sketch.merge(other.sketch);
    }

    public boolean isEmpty() {
        return sketch.isEmpty();
    }

    public long count() {
        return sketch.getN();
    }

    /** The amount at normalised rank {@code rank} (0.5 = median), counting values equal to it as below. */
    public double quantile(double rank) {
        return sketch.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE);
    }

    public byte[] toBytes() {
        return sketch.toByteArray();
    }
}
