package io.analytics.ingest;

import it.unimi.dsi.fastutil.HashCommon;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The ids accepted in one hour: compact {@link SortedIds} in a file, and the changes since they were
 * last sealed (ids added, sealed ids given back) in two hash sets on the heap beside them. The hour is
 * sealed again and again, every minute while it is current and after it whenever it changed (an id of
 * the hour read late while rebuilding, a release), so the hash sets hold about a minute of ids and the
 * heap stays flat however many the hour gathers.
 *
 * <p>Sealing rewrites the hour's file, too long to hold the lock every claim takes, so it is split:
 * {@link #startSeal} sets the changes aside as a {@link Seal} that nothing writes any more and that
 * lookups still consult, the caller merges it without the lock, and {@link #finishSeal} swaps the
 * result in (or {@link #abandonSeal} takes the changes back if the merge failed). Changes made
 * meanwhile go to fresh sets on top, which apply to the merged ids as they did to the seal's.
 *
 * <p>Only the hour's seal reads its sealed ids without the lock, so its files are deleted (and
 * unmapped) under the lock and never while a seal reads them.
 */
final class HourOfIds {

    private final long start;
    private final IdFiles files;
    private SortedIds sealed = SortedIds.EMPTY;
    /** The seal under way, or null: while set, it stands for the sealed ids. */
    private Seal sealing;
    private LongOpenHashSet open = new LongOpenHashSet();
    /** Sealed ids given back: releases are rare (Kafka refused a batch), so these stay few. */
    private LongOpenHashSet released = new LongOpenHashSet();
    /** Set when the hour leaves the index: a seal under way then deletes its files when it finishes. */
    private boolean dropped;

    HourOfIds(long start, IdFiles files) {
        this.start = start;
        this.files = files;
    }

    long start() {
        return start;
    }

    boolean contains(long id) {
        return open.contains(id) || isSealed(id) && !released.contains(id);
    }

    /**
     * Marks in {@code held} the ids here, passing over those marked already: {@link #contains} for a
     * batch, whose reads of the sealed ids the processor overlaps (see {@link SortedIds#markContained}).
     */
    void markHeld(long[] ids, boolean[] held) {
        boolean[] sorted = new boolean[ids.length];
        (sealing == null ? sealed : sealing.sealed()).markContained(ids, held, sorted);
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            held[i] = held[i] || open.contains(id) || isSealed(id, sorted[i]) && !released.contains(id);
        }
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
     * none, or when a seal is under way already (the changes since wait for the next, so an hour never
     * has more than one seal queued however long its merge takes).
     */
    Seal startSeal() {
        if (sealing != null || open.isEmpty() && released.isEmpty()) {
            return null;
        }
        sealing = new Seal(sealed, open, released, files.newFile(start), files.chunkBits());
        open = new LongOpenHashSet();
        released = new LongOpenHashSet();
        return sealing;
    }

    /** Takes the merge of the seal under way as the sealed ids, and deletes the file it replaces. */
    void finishSeal(SortedIds merged) {
        SortedIds replaced = sealing.sealed();
        sealing = null;
        replaced.delete();
        if (dropped) {
            merged.delete();
            return;
        }
        sealed = merged;
    }

    /**
     * Keeps the sealed ids as they were and takes the seal's changes back, with those made since replayed
     * on top, for the next seal to try again.
     */
    void abandonSeal() {
        Seal failed = sealing;
        LongOpenHashSet addedSince = open;
        LongOpenHashSet removedSince = released;
        sealing = null;
        open = failed.added();
        released = failed.removed();
        removedSince.forEach(this::remove);
        addedSince.forEach(this::add);
        if (dropped) {
            sealed.delete();
        }
    }

    /** Deletes the hour's file now, or once the seal that reads it has finished. */
    void drop() {
        dropped = true;
        if (sealing == null) {
            sealed.delete();
        }
    }

    long size() {
        return (sealing == null ? sealed.size() : sealing.size()) - released.size() + open.size();
    }

    /** The heap the hour takes: its changes and its sealed ids' directory. */
    long bytes() {
        return (sealing == null ? sealed.heapBytes() : sealing.heapBytes()) + tableBytes(open) + tableBytes(released);
    }

    long fileBytes() {
        return (sealing == null ? sealed : sealing.sealed()).fileBytes();
    }

    private boolean isSealed(long id) {
        return sealing == null ? sealed.contains(id) : sealing.contains(id);
    }

    /** {@code sorted}: whether the sorted ids, of the seal under way if there is one, hold the id. */
    private boolean isSealed(long id, boolean sorted) {
        return sealing == null ? sorted : sealing.contains(id, sorted);
    }

    /** The table an open hash set of this size has grown to at fastutil's default load factor. */
    private static long tableBytes(LongOpenHashSet set) {
        return 8L * HashCommon.arraySize(Math.max(set.size(), 1), LongOpenHashSet.DEFAULT_LOAD_FACTOR);
    }

    /**
     * The sealed ids with changes to merge into them, into a new file; none of its parts is written any
     * more, so it can be read without the lock.
     */
    record Seal(SortedIds sealed, LongOpenHashSet added, LongOpenHashSet removed, Path file, int chunkBits) {

        /** The slow part: a pass over the hour's file. */
        SortedIds merge() throws IOException {
            return sealed.merged(added, removed, file, chunkBits);
        }

        boolean contains(long id) {
            return contains(id, sealed.contains(id));
        }

        boolean contains(long id, boolean sorted) {
            return added.contains(id) || sorted && !removed.contains(id);
        }

        long size() {
            return sealed.size() + added.size() - removed.size();
        }

        /** With the sorted copy of the added ids that the merge makes. */
        long heapBytes() {
            return sealed.heapBytes() + tableBytes(added) + 8L * added.size() + tableBytes(removed);
        }
    }
}
