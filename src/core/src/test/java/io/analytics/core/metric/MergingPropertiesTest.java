package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.window.Watermark;
import io.analytics.core.window.WindowSize;
import io.analytics.core.window.WindowSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Merging cells across partitions and stored windows gives what a direct computation over the raw
 * events gives: exact counts and sums, unique users as a union (a user in two partitions or two
 * minutes counts once), percentiles within the sketch's rank error. Late events are accounted for
 * exactly: left out of the windows closed when they arrived and counted once, by arrival.
 */
class MergingPropertiesTest {

    private static final long BASE = Instant.parse("2026-02-16T10:00:00Z").toEpochMilli();
    private static final List<String> COUNTRIES = List.of("US", "DE", "FR");
    private static final List<Dimension> DIMENSIONS = List.of(new Dimension("country"));

    /** One event: seconds after BASE (three hours), user, country, cents of a purchase (0 = a page view). */
    record Ev(int second, int user, int country, int cents, int partition) {
        AnalyticsEvent event(int index) {
            Map<String, Object> props = new HashMap<>();
            props.put("country", COUNTRIES.get(country));
            if (cents > 0) {
                props.put("amount", cents / 100.0);
            }
            return new AnalyticsEvent("p", "e" + index, cents > 0 ? AnalyticsEvent.PURCHASE : "page_view",
                    time(), "user_" + user, null, props, Map.of());
        }

        long time() {
            return BASE + second * 1000L;
        }
    }

    @Provide
    Arbitrary<List<Ev>> events() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 3 * 3600 - 1),
                        Arbitraries.integers().between(0, 60),
                        Arbitraries.integers().between(0, COUNTRIES.size() - 1),
                        Arbitraries.integers().between(0, 30_000),
                        Arbitraries.integers().between(0, 3))
                .as(Ev::new)
                .list().ofMinSize(1).ofMaxSize(300);
    }

    @Provide
    Arbitrary<String[]> specs() {
        return Arbitraries.of(
                new String[] {"5m", "1m"}, new String[] {"10m", "5m"}, new String[] {"15m", null}, new String[] {"2h", "1h"},
                new String[] {"3m", "1m"}, new String[] {"1h", "15m"}, new String[] {"1m", null}, new String[] {"1h", null});
    }

    @Property(tries = 120)
    void slidingWindowsAcrossPartitionsEqualADirectComputation(
            @ForAll("events") List<Ev> evs, @ForAll("specs") String[] specCodes) {
        WindowSpec spec = WindowSpec.parse(specCodes[0], specCodes[1]);
        List<CellValue> cells = cellsOfPartitions(evs);
        long start = BASE - 3_600_000L;
        long end = BASE + 4 * 3_600_000L;
        for (Metric metric : List.of(Metric.EVENTS, Metric.REVENUE, Metric.UNIQUE_USERS, Metric.AMOUNT_PERCENTILES)) {
            MetricQuery query = new MetricQuery("p", metric, spec, start, end, null, null);
            Map<Long, MetricSeries.Point> actual = new TreeMap<>();
            SeriesAssembler.assemble(query, cellsFor(cells, metric))
                    .forEach(s -> s.points().forEach(p -> actual.put(p.windowStart(), p)));
            Map<Long, List<Ev>> expected = direct(evs, spec, metric, start, end);
            assertThat(actual.keySet()).as("%s windows of %s", metric, Arrays.toString(specCodes)).isEqualTo(expected.keySet());
            expected.forEach((windowStart, inWindow) -> check(metric, actual.get(windowStart), inWindow));
        }
    }

    @Property(tries = 150)
    void lateEventsAreLeftOutOfClosedWindowsAndCountedOnceByArrival(
            @ForAll("events") List<Ev> evs, @ForAll @IntRange(min = 0, max = 900) int latenessSeconds) {
        PartitionBatch batch = new PartitionBatch(DIMENSIONS, Watermark.initial(latenessSeconds * 1000L), Long.MAX_VALUE / 4);
        for (int i = 0; i < evs.size(); i++) {
            batch.add(evs.get(i).event(i), evs.get(i).time());
        }
        Map<WindowSize, Long> counted = new HashMap<>();
        Map<WindowSize, Long> late = new HashMap<>();
        WindowCells.rolledUp(batch.deltas()).forEach((key, cell) -> {
            if (!key.dimension().isEmpty()) {
                return;
            }
            if (key.allTypes()) {
                counted.merge(key.window(), cell.value(key).count(), Long::sum);
            } else if (key.eventType().equals(CellKey.LATE)) {
                late.merge(key.window(), cell.value(key).count(), Long::sum);
            }
        });
        long previous = 0;
        for (WindowSize size : WindowSize.values()) {
            long inSize = counted.getOrDefault(size, 0L);
            assertThat(inSize).as("events in %s windows", size).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(evs.size());
            previous = inSize;
            assertThat(late.getOrDefault(size, 0L)).as("late events filed in %s windows", size).isEqualTo(batch.lateEvents());
        }
        assertThat(counted.getOrDefault(WindowSize.ONE_MINUTE, 0L) + batch.lateEvents()).isEqualTo(evs.size());
        assertThat(counted.getOrDefault(WindowSize.ONE_DAY, 0L)).as("a day is open for the 3 h of events").isEqualTo(evs.size());
    }

    /** Each event in the partition it was given, each partition aggregated on its own, as the stream does. */
    private static List<CellValue> cellsOfPartitions(List<Ev> evs) {
        Map<Integer, PartitionBatch> partitions = new HashMap<>();
        for (int i = 0; i < evs.size(); i++) {
            Ev ev = evs.get(i);
            partitions.computeIfAbsent(ev.partition(), p -> new PartitionBatch(DIMENSIONS,
                    Watermark.initial(Long.MAX_VALUE / 4), Long.MAX_VALUE / 4)).add(ev.event(i), ev.time());
        }
        List<CellValue> cells = new ArrayList<>();
        partitions.values().forEach(batch -> WindowCells.rolledUp(batch.deltas()).forEach((key, cell) -> cells.add(cell.value(key))));
        return cells;
    }

    private static List<CellValue> cellsFor(List<CellValue> cells, Metric metric) {
        return cells.stream().map(c -> MetricCell.of(new CellDelta(c.key(), c.count(), c.amount(), c.users(), c.amounts()))
                .value(c.key(), metric)).toList();
    }

    private static Map<Long, List<Ev>> direct(List<Ev> evs, WindowSpec spec, Metric metric, long start, long end) {
        Map<Long, List<Ev>> windows = new TreeMap<>();
        for (Ev ev : evs) {
            if ((metric == Metric.REVENUE || metric == Metric.AMOUNT_PERCENTILES) && ev.cents() == 0) {
                continue;
            }
            for (long s = Math.floorDiv(ev.time(), spec.slideMillis()) * spec.slideMillis(); s > ev.time() - spec.sizeMillis();
                    s -= spec.slideMillis()) {
                if (s >= start && s < end) {
                    windows.computeIfAbsent(s, k -> new ArrayList<>()).add(ev);
                }
            }
        }
        return windows;
    }

    private static void check(Metric metric, MetricSeries.Point point, List<Ev> inWindow) {
        switch (metric) {
            case EVENTS -> assertThat(point.value()).isEqualTo(inWindow.size());
            case REVENUE -> assertThat(point.value()).isCloseTo(inWindow.stream().mapToInt(Ev::cents).sum() / 100.0, within(1e-6));
            case UNIQUE_USERS -> {
                Set<Integer> users = new HashSet<>();
                inWindow.forEach(e -> users.add(e.user()));
                assertThat(point.value()).isCloseTo(users.size(), within(Math.max(1.0, users.size() * 0.02)));
            }
            default -> {
                double[] amounts = inWindow.stream().mapToDouble(e -> e.cents() / 100.0).sorted().toArray();
                assertThat(point.count()).isEqualTo(amounts.length);
                assertRank(amounts, point.percentiles().p50(), 0.50);
                assertRank(amounts, point.percentiles().p95(), 0.95);
                assertRank(amounts, point.percentiles().p99(), 0.99);
            }
        }
    }

    private static void assertRank(double[] sorted, double value, double q) {
        long below = Arrays.stream(sorted).filter(a -> a < value).count();
        long atOrBelow = Arrays.stream(sorted).filter(a -> a <= value).count();
        assertThat((double) below / sorted.length).isLessThanOrEqualTo(q + AmountDistribution.RANK_ERROR);
        assertThat((double) atOrBelow / sorted.length).isGreaterThanOrEqualTo(q - AmountDistribution.RANK_ERROR);
    }
}
