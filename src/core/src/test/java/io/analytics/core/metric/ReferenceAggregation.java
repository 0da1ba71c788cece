package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.window.WindowSize;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deliberately naive model of what a partition's aggregation must produce, written from the
 * documented contract rather than from {@link PartitionBatch}: tumbling windows aligned to the epoch,
 * one cell per (window, dimension value, event type) plus an all-types cell that tracks users, a
 * watermark of "largest (capped) event time seen so far minus lateness", and windows ending at or
 * before it refusing events, and a late event counted under the minute holding the watermark at its
 * arrival, in every window size containing that minute.
 */
final class ReferenceAggregation {

    record Input(AnalyticsEvent event, long recordTimestamp) {}

    static final class Expected {
        long count;
        double amount;
        long amounts;
        final Set<String> users = new HashSet<>();
    }

    final Map<CellKey, Expected> cells = new LinkedHashMap<>();
    long lateEvents;
    Long maxEventTime;

    static ReferenceAggregation of(List<Input> inputs, List<String> dimensions, long lateness, long maxFutureSkew) {
        ReferenceAggregation model = new ReferenceAggregation();
        List<String> dims = new ArrayList<>();
        dims.add("");
        dims.addAll(dimensions);
        for (Input input : inputs) {
            AnalyticsEvent e = input.event();
            boolean late = false;
            for (WindowSize size : WindowSize.values()) {
                long length = size.millis();
                long start = e.timestamp() - Math.floorMod(e.timestamp(), length);
                boolean closed = model.maxEventTime != null && start + length <= model.maxEventTime - lateness;
                if (closed) {
                    late = true;
                    continue;
                }
                for (String dim : dims) {
                    String value = dimensionValue(dim, e);
                    Expected typed = model.cells.computeIfAbsent(
                            new CellKey(e.projectId(), size, start, dim, value, e.eventType()), k -> new Expected());
                    Expected all = model.cells.computeIfAbsent(
                            new CellKey(e.projectId(), size, start, dim, value, CellKey.ALL_TYPES), k -> new Expected());
                    for (Expected cell : List.of(typed, all)) {
                        cell.count++;
                        if (e.properties().get("amount") instanceof Number n) {
                            cell.amount += n.doubleValue();
                        }
                    }
                    if (e.properties().get("amount") instanceof Number) {
                        typed.amounts++;
                    }
                    if (e.userId() != null) {
                        all.users.add(e.userId());
                    }
                }
            }
            if (late) {
                model.lateEvents++;
                model.countLate(e, dims, lateness);
            }
            long capped = Math.min(e.timestamp(), input.recordTimestamp() + maxFutureSkew);
            model.maxEventTime = model.maxEventTime == null ? capped : Math.max(model.maxEventTime, capped);
        }
        return model;
    }

    private void countLate(AnalyticsEvent e, List<String> dims, long lateness) {
        long watermark = maxEventTime - lateness;
        for (WindowSize size : WindowSize.values()) {
            long arrival = Math.floorDiv(watermark, size.millis()) * size.millis();
            for (String dim : dims) {
                Expected cell = cells.computeIfAbsent(new CellKey(e.projectId(), size, arrival, dim, dimensionValue(dim, e),
                        CellKey.LATE), k -> new Expected());
                cell.count++;
                if (e.properties().get("amount") instanceof Number n) {
                    cell.amount += n.doubleValue();
                }
            }
        }
    }

    /** Only what the generated test events use: top-level fields and string properties. */
    private static String dimensionValue(String name, AnalyticsEvent e) {
        return switch (name) {
            case "" -> null;
            case "event_type" -> e.eventType();
            case "user_id" -> e.userId();
            default -> (String) e.properties().get(name);
        };
    }

    /** Sums deltas per cell, rolled up into the larger windows, as a partition's entity does. */
    static Map<CellKey, MetricCell> merge(List<List<CellDelta>> batches) {
        WindowCells cells = new WindowCells();
        batches.forEach(batch -> batch.forEach(cells::add));
        Map<CellKey, MetricCell> merged = new HashMap<>();
        cells.forEach(merged::put);
        return merged;
    }

    void assertMatches(Map<CellKey, MetricCell> actual) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(cells.keySet());
        cells.forEach((key, expected) -> {
            MetricCell cell = actual.get(key);
            CellValue value = cell.value(key);
            assertThat(value.count()).as("count of %s", key).isEqualTo(expected.count);
            assertThat(value.amount()).as("amount of %s", key).isCloseTo(expected.amount, within(1e-6));
            if (key.allTypes()) {
                assertThat(Math.round(value.uniqueUsers())).as("users of %s", key).isEqualTo(expected.users.size());
                assertThat(cell.toDelta(key).users() == null).as("user sketch of %s", key).isEqualTo(expected.users.isEmpty());
            } else {
                assertThat(cell.toDelta(key).users()).as("typed cell %s tracks no users", key).isNull();
            }
            byte[] amounts = cell.toDelta(key).amounts();
            assertThat(amounts == null ? 0 : AmountDistribution.fromBytes(amounts).count())
                    .as("amounts in the distribution of %s", key).isEqualTo(expected.amounts);
        });
    }
}
