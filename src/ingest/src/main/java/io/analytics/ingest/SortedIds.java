package io.analytics.ingest;

import it.unimi.dsi.fastutil.longs.LongArrays;
import it.unimi.dsi.fastutil.longs.LongSet;
import java.util.Arrays;

/**
 * An immutable set of 64-bit ids as a sorted array: 8 bytes an id. The ids are hashes, so they spread
 * evenly over the range, and a lookup guesses an id's position from its value instead of binary
 * searching, which would miss the cache at nearly every step over millions of ids. The guess is made
 * within a slot of the ids' top bits (a directory of 128 to 256 ids a slot, small enough to stay in
 * cache) and is a few places off, so the search from it reads one or two cache lines. It gallops from
 * the guess, so ids crowded into one slot cost a logarithm, not a scan.
 */
final class SortedIds {

    static final SortedIds EMPTY = new SortedIds(new long[0]);

    private static final int MIN_IDS_PER_SLOT = 128;
    /** Bits of an id's offset within its slot that the guess uses: plenty for slots of hundreds of ids. */
    private static final int GUESS_BITS = 20;

    private final long[] ids;
    private final int shift;
    private final int[] slotStarts;

    private SortedIds(long[] sorted) {
        this.ids = sorted;
        int bits = Math.max(1, 63 - Long.numberOfLeadingZeros(Math.max(1, sorted.length / MIN_IDS_PER_SLOT)));
        this.shift = 64 - bits;
        this.slotStarts = new int[(1 << bits) + 1];
        for (long id : sorted) {
            slotStarts[slot(id) + 1]++;
        }
        for (int i = 1; i < slotStarts.length; i++) {
            slotStarts[i] += slotStarts[i - 1];
        }
    }

    /** These ids with {@code added} (none of them already here) and without {@code removed} (all of them here). */
    SortedIds merged(LongSet added, LongSet removed) {
        long[] merged = new long[ids.length - removed.size() + added.size()];
        int n = 0;
        for (long id : ids) {
            if (!removed.contains(id)) {
                merged[n++] = id;
            }
        }
        for (long id : added) {
            merged[n++] = id;
        }
        LongArrays.radixSort(merged);
        return new SortedIds(merged);
    }

    boolean contains(long id) {
        int slot = slot(id);
        int from = slotStarts[slot];
        int to = slotStarts[slot + 1];
        if (from == to) {
            return false;
        }
        long offset = ((id ^ Long.MIN_VALUE) << (64 - shift)) >>> (64 - GUESS_BITS);
        int guess = from + (int) ((offset * (to - from)) >>> GUESS_BITS);
        return ids[guess] == id || (ids[guess] < id ? gallopUp(id, guess + 1, to) : gallopDown(id, from, guess));
    }

    int size() {
        return ids.length;
    }

    long bytes() {
        return 8L * ids.length + 4L * slotStarts.length;
    }

    private boolean gallopUp(long id, int from, int to) {
        int step = 1;
        while (from + step < to && ids[from + step - 1] < id) {
            from += step;
            step <<= 1;
        }
        return Arrays.binarySearch(ids, from, Math.min(to, from + step), id) >= 0;
    }

    private boolean gallopDown(long id, int from, int to) {
        int step = 1;
        while (to - step > from && ids[to - step] > id) {
            to -= step;
            step <<= 1;
        }
        return Arrays.binarySearch(ids, Math.max(from, to - step), to, id) >= 0;
    }

    /** The top bits of the id in the arrays' signed order: flipping the sign bit makes it unsigned. */
    private int slot(long id) {
        return (int) ((id ^ Long.MIN_VALUE) >>> shift);
    }
}
