package io.analytics.core.metric;

import java.nio.charset.StandardCharsets;
import org.apache.datasketches.hash.MurmurHash3;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * Distinct users as a HyperLogLog sketch (Apache DataSketches). lgK 14 gives a relative standard
 * error of about 0.8%, so 2% is 2.5 standard errors; small cardinalities stay in the sketch's exact
 * list and set modes and cost a few bytes per user. A {@link Union} is kept rather than a plain
 * sketch because cells mostly grow by merging other sketches.
 */
public final class UniqueUsers {

    public static final int LG_K = 14;
    private static final long SEED = 0x75736572L;

    private final Union union;
    /** Set instead of {@link #union} in a {@link #view}: the journaled sketch as it is, which needs no union to be merged from. */
    private final HllSketch sketch;

    private UniqueUsers(Union union, HllSketch sketch) {
        this.union = union;
        this.sketch = sketch;
    }

    public static UniqueUsers empty() {
        return new UniqueUsers(new Union(LG_K), null);
    }

    public static UniqueUsers fromBytes(byte[] compact) {
        return new UniqueUsers(Union.heapify(compact), null);
    }

    /**
     * The users of a journaled sketch to merge into other cells' (only): read in place, without
     * rebuilding its hash set or a union of it.
     */
    static UniqueUsers view(byte[] compact) {
        return new UniqueUsers(null, HllSketch.wrap(Memory.wrap(compact)));
    }

    /** A user id reduced to 64 bits once per event, so the many cells an event touches do not each hash the string. */
    public static long hash(String userId) {
        return MurmurHash3.hash(userId.getBytes(StandardCharsets.UTF_8), SEED)[0];
    }

    public void add(long userHash) {
        union.update(userHash);
    }

    public void merge(byte[] compactSketch) {
        union.update(HllSketch.heapify(compactSketch));
    }

    /** Adds another cell's users without a round trip through bytes. */
    public void merge(UniqueUsers other) {
        union.update(other.sketch != null ? other.sketch : other.union.getResult(TgtHllType.HLL_8));
    }

    public boolean isEmpty() {
        return union == null ? sketch.isEmpty() : union.isEmpty();
    }

    public double estimate() {
        return union == null ? sketch.getEstimate() : union.getEstimate();
    }

    public byte[] toBytes() {
        return union == null ? sketch.toCompactByteArray() : union.toCompactByteArray();
    }
}
