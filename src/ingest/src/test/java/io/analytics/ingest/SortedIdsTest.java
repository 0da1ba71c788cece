package io.analytics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import it.unimi.dsi.fastutil.longs.LongSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SortedIdsTest {

    @Test
    void findsEveryIdAndNoOtherAmongSpreadIds() {
        assertExact(ids(new SplittableRandom(7), 100_000, 0));
    }

    @Test
    void findsIdsCrowdedIntoOneSlot() {
        // ids sharing their top 32 bits all land in one slot: the search must not depend on an even spread
        assertExact(ids(new SplittableRandom(11), 50_000, 32));
    }

    @Test
    void findsIdsAtTheEndsOfTheRange() {
        LongSet ends = new LongOpenHashSet(new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE});
        assertExact(ends);
    }

    @Test
    void mergeAddsAndRemoves() {
        SortedIds ids = SortedIds.EMPTY.merged(new LongOpenHashSet(new long[] {1, 2, 3}), new LongOpenHashSet());
        SortedIds merged = ids.merged(new LongOpenHashSet(new long[] {4}), new LongOpenHashSet(new long[] {2}));
        assertThat(merged.size()).isEqualTo(3);
        assertThat(new boolean[] {merged.contains(1), merged.contains(2), merged.contains(3), merged.contains(4)})
                .containsExactly(true, false, true, true);
    }

    @Test
    void emptyHoldsNothing() {
        assertThat(SortedIds.EMPTY.contains(0)).isFalse();
        assertThat(SortedIds.EMPTY.contains(Long.MIN_VALUE)).isFalse();
    }

    private static void assertExact(LongSet held) {
        SortedIds ids = SortedIds.EMPTY.merged(held, new LongOpenHashSet());
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
