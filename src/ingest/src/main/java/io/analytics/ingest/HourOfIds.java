package io.analytics.ingest;

import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

/**
 * The ids accepted in one hour. While the hour is current they go to a hash set; once it has passed
 * the bucket is {@linkplain #seal sealed} into compact {@link SortedIds}, and the rare changes after
 * that (an id of the hour read late while rebuilding, a release) go to two small hash sets beside it.
 */
final class HourOfIds {

    private final long start;
    private SortedIds sealed = SortedIds.EMPTY;
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
        return open.contains(id) || sealed.contains(id) && !released.contains(id);
    }

    /** Adds the id; false if it was already here. */
    boolean add(long id) {
        return sealed.contains(id) ? released.remove(id) : open.add(id);
    }

    /** Removes the id; false if it was not here. */
    boolean remove(long id) {
        return open.remove(id) || sealed.contains(id) && released.add(id);
    }

    /** Moves every change since the last seal into the sorted ids. */
    void seal() {
        if (open.isEmpty() && released.isEmpty()) {
            return;
        }
        sealed = sealed.merged(open, released);
        open = new LongOpenHashSet();
        released = new LongOpenHashSet();
    }

    long size() {
        return sealed.size() - released.size() + open.size();
    }

    long bytes() {
        return sealed.bytes() + tableBytes(open) + tableBytes(released);
    }

    /** The table an open hash set of this size has grown to at fastutil's default load factor. */
    private static long tableBytes(LongOpenHashSet set) {
        return 8L * HashCommon.arraySize(Math.max(set.size(), 1), LongOpenHashSet.DEFAULT_LOAD_FACTOR);
    }
}
