package io.analytics.core.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Window assignment, watermark advance and the stream's watermark, for any input. */
class EventTimePropertiesTest {

    private static final long YEAR = 366L * 86_400_000L;

    @Property
    void everyEventFallsInExactlyOneAlignedWindowOfEachSizeAndSmallerWindowsNest(
            @ForAll @LongRange(min = -3 * YEAR, max = 80 * YEAR) long time) {
        WindowSize previous = null;
        for (WindowSize size : WindowSize.values()) {
            long start = size.startOf(time);
            assertThat(start).isLessThanOrEqualTo(time);
            assertThat(size.endOf(start)).isGreaterThan(time);
            assertThat(Math.floorMod(start, size.millis())).isZero();
            if (previous != null) {
                assertThat(size.startOf(time)).isLessThanOrEqualTo(previous.startOf(time));
                assertThat(size.endOf(size.startOf(time))).isGreaterThanOrEqualTo(previous.endOf(previous.startOf(time)));
            }
            previous = size;
        }
    }

    @Property
    void watermarkIsTheLargestEventTimeMinusLatenessAndClosedWindowsStayClosed(
            @ForAll @Size(max = 60) List<@LongRange(min = 0, max = 86_400_000L) Long> eventTimes,
            @ForAll @LongRange(min = 0, max = 3_600_000L) long lateness) {
        Watermark watermark = Watermark.initial(lateness);
        long max = Long.MIN_VALUE;
        List<long[]> closed = new ArrayList<>();
        for (long time : eventTimes) {
            long before = watermark.value();
            watermark = watermark.advance(time);
            max = Math.max(max, time);
            assertThat(watermark.value()).isGreaterThanOrEqualTo(before).isEqualTo(max - lateness);
            for (long[] window : closed) {
                assertThat(watermark.isClosed(WindowSize.values()[(int) window[0]], window[1])).isTrue();
            }
            for (WindowSize size : WindowSize.values()) {
                long start = size.startOf(time);
                assertThat(watermark.isClosed(size, start)).isEqualTo(size.endOf(start) <= max - lateness);
                if (watermark.isClosed(size, start)) {
                    closed.add(new long[] {size.ordinal(), start});
                }
            }
        }
    }

    @Provide
    Arbitrary<List<OperatorWatermark.PartitionWatermark>> partitions() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 63),
                        Arbitraries.longs().between(-1_000, 1_000),
                        Arbitraries.longs().between(0, 20_000))
                .as(OperatorWatermark.PartitionWatermark::new)
                .list().ofMinSize(1).ofMaxSize(12);
    }

    @Property
    void streamWatermarkIsTheSlowestActivePartitionOrTheFurthestWhenAllAreIdle(
            @ForAll("partitions") List<OperatorWatermark.PartitionWatermark> partitions,
            @ForAll @IntRange(min = 1, max = 20_000) int idleTimeout) {
        long watermark = OperatorWatermark.of(partitions, idleTimeout);
        List<OperatorWatermark.PartitionWatermark> active =
                partitions.stream().filter(p -> !p.idle(idleTimeout)).toList();
        if (active.isEmpty()) {
            assertThat(watermark).isEqualTo(partitions.stream().mapToLong(OperatorWatermark.PartitionWatermark::watermark).max().orElseThrow());
            return;
        }
        assertThat(active).allSatisfy(p -> assertThat(watermark).isLessThanOrEqualTo(p.watermark()));
        assertThat(active).anySatisfy(p -> assertThat(watermark).isEqualTo(p.watermark()));
        // an idle partition behind everyone does not hold the stream back
        List<OperatorWatermark.PartitionWatermark> withQuiet = new ArrayList<>(partitions);
        withQuiet.add(new OperatorWatermark.PartitionWatermark(99, Long.MIN_VALUE, idleTimeout));
        assertThat(OperatorWatermark.of(withQuiet, idleTimeout)).isEqualTo(watermark);
    }

    @Property
    void slidingWindowsAreUnionsOfStoredWindowsCoveringTheRange(
            @ForAll @IntRange(min = 1, max = 48) int slideUnits,
            @ForAll @IntRange(min = 1, max = 12) int slidesPerWindow,
            @ForAll @IntRange(min = 0, max = 2) int unit,
            @ForAll @LongRange(min = 0, max = 2 * YEAR) long from,
            @ForAll @LongRange(min = 1, max = 86_400_000L) long length) {
        String suffix = new String[] {"m", "h", "d"}[unit];
        WindowSpec spec;
        try {
            spec = WindowSpec.parse(slideUnits * slidesPerWindow + suffix, slideUnits + suffix);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("window:");
            return;
        }
        assertThat(spec.sizeMillis() % spec.base().millis()).isZero();
        assertThat(spec.slideMillis() % spec.base().millis()).isZero();
        assertThat(spec.sizeMillis() / spec.slideMillis()).isEqualTo(slidesPerWindow);
        long first = spec.firstStart(from);
        assertThat(first).isGreaterThanOrEqualTo(from).isLessThan(from + spec.slideMillis());
        long last = spec.lastStart(from + length);
        assertThat(last).isLessThan(from + length).isGreaterThanOrEqualTo(from + length - spec.slideMillis());
        // the base is the largest stored size that fits
        for (WindowSize larger : WindowSize.values()) {
            if (larger.millis() > spec.base().millis()) {
                assertThat(spec.sizeMillis() % larger.millis() != 0 || spec.slideMillis() % larger.millis() != 0).isTrue();
            }
        }
    }
}
