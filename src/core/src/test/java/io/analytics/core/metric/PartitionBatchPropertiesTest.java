package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.window.Watermark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Batching must not change the result: the same records give the same cells however they are cut. */
class PartitionBatchPropertiesTest {

    private static final long BASE = Instant.parse("2026-02-16T10:30:00Z").toEpochMilli();
    private static final List<String> TYPES = List.of("page_view", "add_to_cart", "purchase_completed", "refund");
    private static final List<String> COUNTRIES = List.of("US", "DE", "FR");
    private static final List<Dimension> DIMENSIONS = List.of(new Dimension("country"), new Dimension("event_type"));
    private static final List<String> DIMENSION_NAMES = List.of("country", "event_type");

    /** One generated record: event time around BASE (minutes of disorder), broker time near it. */
    record Rec(int eventOffsetSeconds, int brokerLagSeconds, int type, int user, int country, int cents) {
        AnalyticsEvent event(int index) {
            Map<String, Object> props = new HashMap<>();
            if (country < COUNTRIES.size()) {
                props.put("country", COUNTRIES.get(country));
            }
            if (cents != 0) {
                props.put("amount", cents / 100.0);
            }
            return new AnalyticsEvent("proj", "e" + index, TYPES.get(type), BASE + eventOffsetSeconds * 1000L,
                    user == 0 ? null : "user_" + user, null, props, Map.of());
        }

        long recordTimestamp() {
            return BASE + (eventOffsetSeconds + brokerLagSeconds) * 1000L;
        }
    }

    @Provide
    Arbitrary<List<Rec>> records() {
        Arbitrary<Rec> rec = Combinators.combine(
                        Arbitraries.integers().between(-600, 7_200),   // up to 2 h spread, crossing hour boundaries
                        Arbitraries.integers().between(-900, 120),     // producers ahead of the broker by up to 15 min
                        Arbitraries.integers().between(0, TYPES.size() - 1),
                        Arbitraries.integers().between(0, 40),
                        Arbitraries.integers().between(0, COUNTRIES.size()),
                        Arbitraries.integers().between(-5_000, 50_000))
                .as(Rec::new);
        return rec.list().ofMinSize(1).ofMaxSize(120);
    }

    @Property(tries = 150)
    void splittingIntoBatchesWithCarriedWatermarkChangesNothing(
            @ForAll("records") List<Rec> records,
            @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 120) Integer> cuts,
            @ForAll @IntRange(min = 0, max = 600) int latenessSeconds,
            @ForAll @IntRange(min = 0, max = 600) int skewSeconds) {
        long lateness = latenessSeconds * 1000L;
        long skew = skewSeconds * 1000L;
        List<AnalyticsEvent> events = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            events.add(records.get(i).event(i));
        }

        PartitionBatch whole = new PartitionBatch(DIMENSIONS, Watermark.initial(lateness), skew);
        for (int i = 0; i < events.size(); i++) {
            whole.add(events.get(i), records.get(i).recordTimestamp());
        }

        TreeSet<Integer> boundaries = new TreeSet<>();
        cuts.forEach(c -> boundaries.add(Math.min(c, events.size())));
        boundaries.add(0);
        boundaries.add(events.size());
        List<List<CellDelta>> parts = new ArrayList<>();
        Watermark carried = Watermark.initial(lateness);
        long late = 0;
        long counted = 0;
        Integer from = null;
        for (int to : boundaries) {
            if (from != null) {
                PartitionBatch part = new PartitionBatch(DIMENSIONS, carried, skew);
                for (int i = from; i < to; i++) {
                    part.add(events.get(i), records.get(i).recordTimestamp());
                }
                parts.add(part.deltas());
                carried = part.watermark();
                late += part.lateEvents();
                counted += part.events();
            }
            from = to;
        }

        List<ReferenceAggregation.Input> inputs = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            inputs.add(new ReferenceAggregation.Input(events.get(i), records.get(i).recordTimestamp()));
        }
        ReferenceAggregation model = ReferenceAggregation.of(inputs, DIMENSION_NAMES, lateness, skew);

        Map<CellKey, MetricCell> split = ReferenceAggregation.merge(parts);
        model.assertMatches(split);
        model.assertMatches(ReferenceAggregation.merge(List.of(whole.deltas())));
        assertThat(late).isEqualTo(whole.lateEvents()).isEqualTo(model.lateEvents);
        assertThat(counted).isEqualTo(whole.events()).isEqualTo(events.size());
        assertThat(carried).isEqualTo(whole.watermark());
        assertThat(carried.maxEventTime()).isEqualTo(model.maxEventTime);
    }
}
