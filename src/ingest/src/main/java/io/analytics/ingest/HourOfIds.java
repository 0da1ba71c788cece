package io.analytics.ingest;

import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

/**
 * The ids accepted in one hour. While the hour is current they go to a hash set; once it has passed
 * the bucket is sealed into compact {@link SortedIds}, and the rare changes after that (an id of the
 * hour read late while rebuilding, a release) go to two small hash sets beside it.
 *
 * <p>Sealing sorts millions of ids, too long to hold the lock every claim takes, so it is split:
 * {@link #startSeal} sets the changes aside as a {@link Seal} that nothing writes any more and that
 * lookups still consult, the caller merges it without the lock, and {@link #finishSeal} swaps the
 * result in. Changes made meanwhile go to fresh sets on top, which apply to the merged ids as they
 * did to the seal's.
 */
final class HourOfIds {

    private final long start;
    private SortedIds sealed = SortedIds.EMPTY;
    /** The seal under way, or null: while set, it stands for the sealed ids. */
    private Seal sealing;
    private LongOpenHashSet open = new LongOpenHashSet();
    /** Sealed ids given back: releases are rare (Kafka refused a batch), so these stay few. */
    private LongOpenHashSet released = new LongOpenHashSet();

    HourOfIds(long start) {
        this.start = start;
    }

    long start() {
        return start;
    }

    boolean contains(long id) {
        return open.contains(id) || isSealed(id) && !released.contains(id);
    }

    /** Adds the id; false if it was already here. */
    boolean add(long id) {
        return isSealed(id) ? released.remove(id) : open.add(id);
    }

    /** Removes the id; false if it was not here. */
    boolean remove(long id) {
        return open.remove(id) || isSealed(id) && released.add(id);
    }

    /**
     * Sets the changes since the last seal aside to be merged into the sealed ids; null when there are
     * none, or when a seal is under way already (the changes since wait for the next).
     */
    Seal startSeal() {
        if (sealing != null || open.isEmpty() && released.isEmpty()) {
            return null;
        }
        sealing = new Seal(sealed, open, released);
        open = new LongOpenHashSet();
        released = new LongOpenHashSet();
        return sealing;
    }

    /** Takes the merge of the seal under way as the sealed ids. */
    void finishSeal(SortedIds merged) {
        sealed = merged;
        sealing = null;
    }

    long size() {
        return (sealing == null ? sealed.size() : sealing.size()) - released.size() + open.size();
    }

    long bytes() {
        return (sealing == null ? sealed.bytes() : sealing.bytes()) + tableBytes(open) + tableBytes(released);
    }

    private boolean isSealed(long id) {
        return sealing == null ? sealed.contains(id) : sealing.contains(id);
    }

    /** The table an open hash set of this size has grown to at fastutil's default load factor. */
    private static long tableBytes(LongOpenHashSet set) {
        return 8L * HashCommon.arraySize(Math.max(set.size(), 1), LongOpenHashSet.DEFAULT_LOAD_FACTOR);
    }

    /** The sealed ids with changes to merge into them; none of its parts is written any more, so it can be read without the lock. */
    record Seal(SortedIds sealed, LongOpenHashSet added, LongOpenHashSet removed) {

        /** The slow part: a copy and sort of the hour's ids. */
        SortedIds merge() {
            return sealed.merged(added, removed);
        }

        boolean contains(long id) {
            return added.contains(id) || sealed.contains(id) && !removed.contains(id);
        }

        long size() {
            return sealed.size() + added.size() - removed.size();
        }

        long bytes() {
            return sealed.bytes() + tableBytes(added) + tableBytes(removed);
        }
    }
}
