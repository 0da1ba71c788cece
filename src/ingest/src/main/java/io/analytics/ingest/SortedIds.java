package io.analytics.ingest;

import it.unimi.dsi.fastutil.longs.LongArrays;
import it.unimi.dsi.fastutil.longs.LongSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of 64-bit ids, sorted in a file mapped into memory: 8 bytes an id of disk and page
 * cache, not of heap, so 24 hours of ids at a production rate fit where the heap could not hold them
 * and the heap stays flat as they grow, the way Kafka keeps its index files. Only the slot directory
 * (4 bytes for 128 to 256 ids) is on the heap.
 *
 * <p>The ids are hashes, so they spread evenly over the range, and a lookup guesses an id's position
 * from its value instead of binary searching, which would miss the cache at nearly every step over
 * millions of ids. The guess is made within a slot of the ids' top bits (the directory, small enough to
 * stay in cache) and is a few places off, so the search from it reads one or two cache lines. It
 * gallops from the guess, so ids crowded into one slot cost a logarithm, not a scan.
 *
 * <p>A mapped buffer reaches at most 2 GiB, so the file is mapped in chunks of {@code 2^chunkBits} ids.
 * The ids are in the machine's byte order: the files never outlive the node that wrote them.
 */
final class SortedIds {

    static final SortedIds EMPTY = new SortedIds(null, 0, new Directory(0), new MappedByteBuffer[0], 0);

    private static final Logger log = LoggerFactory.getLogger(SortedIds.class);
    private static final int MIN_IDS_PER_SLOT = 128;
    /** Bits of an id's offset within its slot that the guess uses: plenty for slots of hundreds of ids. */
    private static final int GUESS_BITS = 20;
    private static final int WRITE_BUFFER_BYTES = 1 << 20;

    /** Null for the empty set, which has no file. */
    private final Path file;
    private final int size;
    private final int shift;
    private final int[] slotStarts;
    private final MappedByteBuffer[] mappings;
    private final LongBuffer[] chunks;
    private final int chunkBits;
    private final int chunkMask;

    private SortedIds(Path file, int size, Directory directory, MappedByteBuffer[] mappings, int chunkBits) {
        this.file = file;
        this.size = size;
        this.shift = directory.shift;
        this.slotStarts = directory.slotStarts;
        this.mappings = mappings;
        this.chunks = new LongBuffer[mappings.length];
        for (int i = 0; i < mappings.length; i++) {
            chunks[i] = mappings[i].order(ByteOrder.nativeOrder()).asLongBuffer();
        }
        this.chunkBits = chunkBits;
        this.chunkMask = (1 << chunkBits) - 1;
    }

    /**
     * These ids with {@code added} (none of them already here) and without {@code removed} (all of them
     * here), written to {@code file}. The ids here are already sorted, so only the added ones are
     * sorted, and the two streams are merged in one pass: a seal costs a sequential read and write of
     * the hour, whatever its size, and the heap holds only the added ids and a write buffer meanwhile.
     * Nothing is left of the file if it fails.
     */
    SortedIds merged(LongSet added, LongSet removed, Path file, int chunkBits) throws IOException {
        long count = (long) size + added.size() - removed.size();
        if (count > Integer.MAX_VALUE) {
            throw new IllegalStateException("an hour of the dedupe index holds at most 2^31 ids, not " + count);
        }
        if (count == 0) {
            return EMPTY;
        }
        try {
            Directory directory = write(sortedCopy(added), removed, file, (int) count);
            return new SortedIds(file, (int) count, directory, map(file, count, chunkBits), chunkBits);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    boolean contains(long id) {
        int guess = guess(id);
        return guess >= 0 && searchFrom(id, guess, at(guess));
    }

    /**
     * Marks in {@code found} the ids held here, passing over those {@code known} marks already. Every
     * guess is read before any search from it: loads that depend on nothing but the directory, which
     * the processor overlaps, where a search right after each would wait out its cache miss (and, in a
     * mapped file, its page walk) before the next could start.
     */
    void markContained(long[] ids, boolean[] known, boolean[] found) {
        int[] guesses = new int[ids.length];
        long[] guessed = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            guesses[i] = known[i] ? -1 : guess(ids[i]);
            if (guesses[i] >= 0) {
                guessed[i] = at(guesses[i]);
            }
        }
        for (int i = 0; i < ids.length; i++) {
            found[i] = guesses[i] >= 0 && searchFrom(ids[i], guesses[i], guessed[i]);
        }
    }

    int size() {
        return size;
    }

    long heapBytes() {
        return 4L * slotStarts.length;
    }

    long fileBytes() {
        return 8L * size;
    }

    /**
     * Deletes the file and unmaps it at once: waiting for the collector to unmap it would keep a deleted
     * file's disk and page cache for as long as the heap, flat, goes without a full collection. Nothing
     * may read these ids afterwards, or the process crashes.
     */
    void delete() {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete the dedupe file {}", file, e);
        }
        for (MappedByteBuffer mapping : mappings) {
            Unmapper.unmap(mapping);
        }
    }

    private Directory write(long[] added, LongSet removed, Path file, int count) throws IOException {
        try (IdWriter out = new IdWriter(file, new Directory(count))) {
            int next = 0;
            for (int i = 0; i < size; i++) {
                long id = at(i);
                while (next < added.length && added[next] < id) {
                    out.write(added[next++]);
                }
                if (removed.isEmpty() || !removed.contains(id)) {
                    out.write(id);
                }
            }
            while (next < added.length) {
                out.write(added[next++]);
            }
            return out.finish(count);
        }
    }

    private static long[] sortedCopy(LongSet ids) {
        long[] sorted = ids.toLongArray();
        LongArrays.radixSort(sorted);
        return sorted;
    }

    private static MappedByteBuffer[] map(Path file, long count, int chunkBits) throws IOException {
        MappedByteBuffer[] mappings = new MappedByteBuffer[(int) (((count - 1) >> chunkBits) + 1)];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < mappings.length; i++) {
                long first = (long) i << chunkBits;
                long ids = Math.min(1L << chunkBits, count - first);
                mappings[i] = channel.map(FileChannel.MapMode.READ_ONLY, 8 * first, 8 * ids);
            }
        }
        return mappings;
    }

    /** Where the id would be, guessed from its value within its slot; -1 if its slot is empty. */
    private int guess(long id) {
        int slot = slot(id, shift);
        int from = slotStarts[slot];
        int to = slotStarts[slot + 1];
        if (from == to) {
            return -1;
        }
        long offset = ((id ^ Long.MIN_VALUE) << (64 - shift)) >>> (64 - GUESS_BITS);
        return from + (int) ((offset * (to - from)) >>> GUESS_BITS);
    }

    private boolean searchFrom(long id, int guess, long guessed) {
        if (guessed == id) {
            return true;
        }
        int slot = slot(id, shift);
        return guessed < id ? gallopUp(id, guess + 1, slotStarts[slot + 1]) : gallopDown(id, slotStarts[slot], guess);
    }

    private long at(int i) {
        return chunks[i >>> chunkBits].get(i & chunkMask);
    }

    private boolean gallopUp(long id, int from, int to) {
        int step = 1;
        while (from + step < to && at(from + step - 1) < id) {
            from += step;
            step <<= 1;
        }
        return binarySearch(id, from, Math.min(to, from + step));
    }

    private boolean gallopDown(long id, int from, int to) {
        int step = 1;
        while (to - step > from && at(to - step) > id) {
            to -= step;
            step <<= 1;
        }
        return binarySearch(id, Math.max(from, to - step), to);
    }

    private boolean binarySearch(long id, int from, int to) {
        while (from < to) {
            int middle = (from + to) >>> 1;
            long found = at(middle);
            if (found == id) {
                return true;
            }
            if (found < id) {
                from = middle + 1;
            } else {
                to = middle;
            }
        }
        return false;
    }

    /** The top bits of the id in the signed order the ids are sorted in: flipping the sign bit makes it unsigned. */
    private static int slot(long id, int shift) {
        return (int) ((id ^ Long.MIN_VALUE) >>> shift);
    }

    /** Where each slot's ids start, filled in as the ids are written in order. */
    private static final class Directory {
        final int shift;
        final int[] slotStarts;

        Directory(int count) {
            int bits = Math.max(1, 63 - Long.numberOfLeadingZeros(Math.max(1, count / MIN_IDS_PER_SLOT)));
            this.shift = 64 - bits;
            this.slotStarts = new int[(1 << bits) + 1];
        }

        void count(long id) {
            slotStarts[slot(id, shift) + 1]++;
        }

        Directory finish() {
            for (int i = 1; i < slotStarts.length; i++) {
                slotStarts[i] += slotStarts[i - 1];
            }
            return this;
        }
    }

    /** Ids written in order through a buffer, counted into the directory on the way. */
    private static final class IdWriter implements AutoCloseable {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES).order(ByteOrder.nativeOrder());
        private final Directory directory;
        private long written;
        private long last;

        IdWriter(Path file, Directory directory) throws IOException {
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            this.directory = directory;
        }

        void write(long id) throws IOException {
            if (written > 0 && id <= last) {
                throw new IllegalStateException("merged id " + id + " after " + last + ": an added id was held already");
            }
            last = id;
            buffer.putLong(id);
            directory.count(id);
            written++;
            if (!buffer.hasRemaining()) {
                flush();
            }
        }

        /** The directory once all {@code count} ids are written; fewer or more means the merge's premise was broken. */
        Directory finish(int count) throws IOException {
            flush();
            if (written != count) {
                throw new IllegalStateException("merged " + written + " ids where " + count + " were due");
            }
            return directory.finish();
        }

        private void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
