package io.analytics.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import it.unimi.dsi.fastutil.longs.LongSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SortedIdsTest {

    /** 16 ids a mapping, so that a few hundred ids cross many chunk boundaries. */
    private static final int SMALL_CHUNK_BITS = 4;

    @TempDir
    Path dir;

    private int files;

    @Test
    void findsEveryIdAndNoOtherAmongSpreadIds() throws IOException {
        assertExact(ids(new SplittableRandom(7), 100_000, 0), IdFiles.CHUNK_BITS);
    }

    @Test
    void findsIdsCrowdedIntoOneSlot() throws IOException {
        // ids sharing their top 32 bits all land in one slot: the search must not depend on an even spread
        assertExact(ids(new SplittableRandom(11), 50_000, 32), IdFiles.CHUNK_BITS);
    }

    @Test
    void findsIdsAtTheEndsOfTheRange() throws IOException {
        LongSet ends = new LongOpenHashSet(new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE});
        assertExact(ends, IdFiles.CHUNK_BITS);
        assertExact(ends, 1);
    }

    @Test
    void findsIdsAcrossChunkBoundaries() throws IOException {
        assertExact(ids(new SplittableRandom(13), 5_000, 0), SMALL_CHUNK_BITS);
        assertExact(ids(new SplittableRandom(17), 3_000, 40), SMALL_CHUNK_BITS);
    }

    @Test
    void mergeAddsAndRemoves() throws IOException {
        SortedIds ids = merge(SortedIds.EMPTY, new LongOpenHashSet(new long[] {1, 2, 3}), new LongOpenHashSet(), IdFiles.CHUNK_BITS);
        SortedIds merged = merge(ids, new LongOpenHashSet(new long[] {4}), new LongOpenHashSet(new long[] {2}), IdFiles.CHUNK_BITS);
        assertThat(merged.size()).isEqualTo(3);
        assertThat(new boolean[] {merged.contains(1), merged.contains(2), merged.contains(3), merged.contains(4)})
                .containsExactly(true, false, true, true);
    }

    @Test
    void mergesAcrossChunksGiveExactlyTheExpectedSet() throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        LongSet expected = new LongOpenHashSet();
        SortedIds ids = SortedIds.EMPTY;
        for (int round = 0; round < 20; round++) {
            LongSet added = new LongOpenHashSet();
            LongSet removed = new LongOpenHashSet();
            for (int i = 0; i < 300; i++) {
                long id = random.nextLong();
                if (!expected.contains(id)) {
                    added.add(id);
                }
            }
            expected.forEach(id -> {
                if (random.nextInt(10) == 0) {
                    removed.add(id);
                }
            });
            SortedIds merged = merge(ids, added, removed, SMALL_CHUNK_BITS);
            ids.delete();
            ids = merged;
            expected.removeAll(removed);
            expected.addAll(added);
            assertThat(ids.size()).isEqualTo(expected.size());
            assertThat(ids.fileBytes()).isEqualTo(8L * expected.size());
        }
        assertExact(ids, expected);
    }

    @Test
    void aMergeLeavesOneFileForTheNewIdsAndDeletingItLeavesNone() throws IOException {
        SortedIds first = merge(SortedIds.EMPTY, new LongOpenHashSet(new long[] {1, 2}), new LongOpenHashSet(), SMALL_CHUNK_BITS);
        SortedIds second = merge(first, new LongOpenHashSet(new long[] {3}), new LongOpenHashSet(), SMALL_CHUNK_BITS);
        first.delete();
        assertThat(listDir()).hasSize(1);
        assertThat(Files.size(listDir().findFirst().orElseThrow())).isEqualTo(24);
        second.delete();
        assertThat(listDir()).isEmpty();
    }

    @Test
    void mergingAwayEveryIdLeavesNoFile() throws IOException {
        SortedIds ids = merge(SortedIds.EMPTY, new LongOpenHashSet(new long[] {1, 2}), new LongOpenHashSet(), IdFiles.CHUNK_BITS);
        SortedIds none = merge(ids, new LongOpenHashSet(), new LongOpenHashSet(new long[] {1, 2}), IdFiles.CHUNK_BITS);
        ids.delete();
        assertThat(none.size()).isZero();
        assertThat(none.contains(1)).isFalse();
        assertThat(listDir()).isEmpty();
    }

    @Test
    void aMergeThatFailsLeavesNoFile() throws IOException {
        SortedIds ids = merge(SortedIds.EMPTY, new LongOpenHashSet(new long[] {1, 2}), new LongOpenHashSet(), IdFiles.CHUNK_BITS);
        // adding an id already held, or removing one not held, breaks the merge's premise
        assertThatThrownBy(() -> merge(ids, new LongOpenHashSet(new long[] {2}), new LongOpenHashSet(), IdFiles.CHUNK_BITS))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> merge(ids, new LongOpenHashSet(), new LongOpenHashSet(new long[] {5}), IdFiles.CHUNK_BITS))
                .isInstanceOf(IllegalStateException.class);
        assertThat(listDir()).hasSize(1);
        assertThat(ids.contains(1) && ids.contains(2)).isTrue();
    }

    @Test
    void emptyHoldsNothing() {
        assertThat(SortedIds.EMPTY.contains(0)).isFalse();
        assertThat(SortedIds.EMPTY.contains(Long.MIN_VALUE)).isFalse();
    }

    private SortedIds merge(SortedIds ids, LongSet added, LongSet removed, int chunkBits) throws IOException {
        return ids.merged(added, removed, dir.resolve("ids-" + files++ + ".ids"), chunkBits);
    }

    private Stream<Path> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList().stream();
        }
    }

    private void assertExact(LongSet held, int chunkBits) throws IOException {
        assertExact(merge(SortedIds.EMPTY, held, new LongOpenHashSet(), chunkBits), held);
    }

    private static void assertExact(SortedIds ids, LongSet held) {
        assertThat(ids.size()).isEqualTo(held.size());
        held.forEach(id -> {
            assertThat(ids.contains(id)).as("held %d", id).isTrue();
            assertThat(ids.contains(id + 1)).as("neighbour %d", id + 1).isEqualTo(held.contains(id + 1));
            assertThat(ids.contains(id - 1)).as("neighbour %d", id - 1).isEqualTo(held.contains(id - 1));
        });
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            long other = random.nextLong();
            assertThat(ids.contains(other)).isEqualTo(held.contains(other));
        }
        assertBatchesAgree(ids, held, random);
    }

    /** A batch marks what one lookup at a time finds, and leaves alone the ids known already. */
    private static void assertBatchesAgree(SortedIds ids, LongSet held, SplittableRandom random) {
        long[] heldIds = held.toLongArray();
        long[] batch = new long[100];
        boolean[] known = new boolean[batch.length];
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = i % 2 == 0 ? heldIds[random.nextInt(heldIds.length)] : random.nextLong();
                known[i] = i % 5 == 0;
            }
            boolean[] found = new boolean[batch.length];
            ids.markContained(batch, known, found);
            for (int i = 0; i < batch.length; i++) {
                assertThat(found[i]).as("id %d", batch[i]).isEqualTo(!known[i] && held.contains(batch[i]));
            }
        }
    }

    /** Random ids whose top {@code sharedBits} bits are all the same. */
    private static LongSet ids(SplittableRandom random, int count, int sharedBits) {
        long mask = sharedBits == 0 ? -1L : -1L >>> sharedBits;
        LongSet ids = new LongOpenHashSet();
        while (ids.size() < count) {
            ids.add(random.nextLong() & mask);
        }
        return ids;
    }
}
