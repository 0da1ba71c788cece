package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.event.EventValidator;
import io.analytics.core.window.Watermark;
import io.analytics.core.window.WindowSize;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionBatchTest {

    private static final String P = "proj";
    private static final Dimension COUNTRY = new Dimension("country");
    private static final Dimension TYPE = new Dimension("event_type");

    static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    static AnalyticsEvent event(String id, String type, String iso, String user, String country, Double amount) {
        Map<String, Object> props = new HashMap<>();
        if (country != null) {
            props.put("country", country);
        }
        if (amount != null) {
            props.put("amount", amount);
        }
        return new AnalyticsEvent(P, id, type, at(iso), user, null, props, Map.of("platform", "web"));
    }

    private static final List<AnalyticsEvent> EVENTS = List.of(
            event("e1", "page_view", "2026-02-16T10:30:05Z", "u1", "US", null),
            event("e2", "purchase_completed", "2026-02-16T10:30:20Z", "u1", "US", 99.99),
            event("e3", "purchase_completed", "2026-02-16T10:30:59.999Z", "u2", "DE", 10.01),
            event("e4", "page_view", "2026-02-16T10:31:00Z", "u2", null, null),
            event("e5", "purchase_completed", "2026-02-16T10:34:59.999Z", "u3", "US", 100.00),
            event("e6", "refund", "2026-02-16T10:35:00Z", "u1", "US", -20.0),
            event("e7", "page_view", "2026-02-16T09:59:59.999Z", null, "FR", null));

    private static Map<CellKey, MetricCell> cells(PartitionBatch batch) {
        return ReferenceAggregation.merge(List.of(batch.deltas()));
    }

    private static CellKey key(WindowSize size, String start, Dimension dim, String value, String type) {
        return new CellKey(P, size, at(start), dim.name(), value, type);
    }

    private static final String ALL = CellKey.ALL_TYPES;
    private static final String PURCHASE = AnalyticsEvent.PURCHASE;
    private static final long NO_LATENESS_CLOSES = Duration.ofDays(3).toMillis();
    private static final long SKEW = Duration.ofMinutes(1).toMillis();

    @Test
    void handBuiltEventsGiveTheHandComputedCells() {
        PartitionBatch batch = new PartitionBatch(List.of(COUNTRY), Watermark.initial(NO_LATENESS_CLOSES), SKEW);
        EVENTS.forEach(e -> batch.add(e, e.timestamp()));
        Map<CellKey, MetricCell> cells = cells(batch);

        assertThat(batch.events()).isEqualTo(7);
        assertThat(batch.lateEvents()).isZero();

        CellValue m1030 = cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:30:00Z", Dimension.NONE, null, ALL))
                .value(null);
        assertThat(m1030.count()).isEqualTo(3);
        assertThat(m1030.amount()).isCloseTo(110.00, within(1e-9));
        assertThat(Math.round(m1030.uniqueUsers())).isEqualTo(2);

        CellValue m1030Orders = cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:30:00Z", Dimension.NONE, null, PURCHASE))
                .value(null);
        assertThat(m1030Orders.count()).isEqualTo(2);
        assertThat(m1030Orders.amount()).isCloseTo(110.00, within(1e-9));
        assertThat(m1030Orders.uniqueUsers()).isZero();

        CellValue usOrders = cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:30:00Z", COUNTRY, "US", PURCHASE)).value(null);
        assertThat(usOrders.count()).isEqualTo(1);
        assertThat(usOrders.amount()).isCloseTo(99.99, within(1e-9));
        CellValue deOrders = cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:30:00Z", COUNTRY, "DE", PURCHASE)).value(null);
        assertThat(deOrders.count()).isEqualTo(1);
        assertThat(deOrders.amount()).isCloseTo(10.01, within(1e-9));
        CellValue usPageViews = cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:30:00Z", COUNTRY, "US", "page_view")).value(null);
        assertThat(usPageViews.count()).isEqualTo(1);
        assertThat(usPageViews.amount()).isZero();

        // e4 has no country: it groups under null
        CellValue nullCountry = cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:31:00Z", COUNTRY, null, ALL)).value(null);
        assertThat(nullCountry.count()).isEqualTo(1);
        assertThat(Math.round(nullCountry.uniqueUsers())).isEqualTo(1);

        CellValue five1030 = cells.get(key(WindowSize.FIVE_MINUTES, "2026-02-16T10:30:00Z", Dimension.NONE, null, ALL)).value(null);
        assertThat(five1030.count()).isEqualTo(5);
        assertThat(five1030.amount()).isCloseTo(210.00, within(1e-9));
        assertThat(Math.round(five1030.uniqueUsers())).isEqualTo(3);
        CellValue five1035 = cells.get(key(WindowSize.FIVE_MINUTES, "2026-02-16T10:35:00Z", Dimension.NONE, null, ALL)).value(null);
        assertThat(five1035.count()).isEqualTo(1);
        assertThat(five1035.amount()).isCloseTo(-20.0, within(1e-9));

        CellValue hour10 = cells.get(key(WindowSize.ONE_HOUR, "2026-02-16T10:00:00Z", Dimension.NONE, null, ALL)).value(null);
        assertThat(hour10.count()).isEqualTo(6);
        assertThat(Math.round(hour10.uniqueUsers())).isEqualTo(3);
        MetricCell hour9 = cells.get(key(WindowSize.ONE_HOUR, "2026-02-16T09:00:00Z", Dimension.NONE, null, ALL));
        assertThat(hour9.value(null).count()).isEqualTo(1);
        assertThat(hour9.toDelta(null).users()).as("no user, no sketch").isNull();
        assertThat(hour9.value(null).uniqueUsers()).isZero();

        CellValue day = cells.get(key(WindowSize.ONE_DAY, "2026-02-16T00:00:00Z", Dimension.NONE, null, ALL)).value(null);
        assertThat(day.count()).isEqualTo(7);
        assertThat(day.amount()).isCloseTo(190.00, within(1e-9));
        assertThat(Math.round(day.uniqueUsers())).isEqualTo(3);
        CellValue dayRevenue = cells.get(key(WindowSize.ONE_DAY, "2026-02-16T00:00:00Z", Dimension.NONE, null, PURCHASE)).value(null);
        assertThat(dayRevenue.count()).isEqualTo(3);
        assertThat(dayRevenue.amount()).isCloseTo(210.00, within(1e-9));

        // no window other than those the events fall in
        assertThat(cells.keySet()).noneMatch(k -> k.window() == WindowSize.ONE_MINUTE && k.windowStart() == at("2026-02-16T10:32:00Z"));

        // and everything agrees with the reference model
        ReferenceAggregation.of(inputs(EVENTS), List.of("country"), NO_LATENESS_CLOSES, SKEW).assertMatches(cells);
    }

    @Test
    void everyDimensionGetsItsOwnCellsAndNoneIsAlwaysPresent() {
        PartitionBatch batch = new PartitionBatch(List.of(COUNTRY, TYPE, COUNTRY, Dimension.NONE),
                Watermark.initial(NO_LATENESS_CLOSES), SKEW);
        EVENTS.forEach(e -> batch.add(e, e.timestamp()));
        Map<CellKey, MetricCell> cells = cells(batch);
        assertThat(cells.keySet()).extracting(CellKey::dimension).containsOnly("", "country", "event_type");
        ReferenceAggregation.of(inputs(EVENTS), List.of("country", "event_type"), NO_LATENESS_CLOSES, SKEW)
                .assertMatches(cells);
        // the ungrouped series is not counted twice although NONE was passed explicitly
        assertThat(cells.get(key(WindowSize.ONE_DAY, "2026-02-16T00:00:00Z", Dimension.NONE, null, ALL)).value(null).count())
                .isEqualTo(7);
    }

    @Test
    void lateEventsSkipOnlyTheWindowsAlreadyClosed() {
        long lateness = 10_000;
        PartitionBatch batch = new PartitionBatch(List.of(), Watermark.initial(lateness), SKEW);
        List<AnalyticsEvent> events = List.of(
                event("a", "page_view", "2026-02-16T10:31:30Z", "u1", null, null),  // watermark -> 10:31:20
                event("b", "page_view", "2026-02-16T10:30:50Z", "u2", null, null),  // 1m 10:30 closed; 5m, 1h, 1d open
                event("c", "page_view", "2026-02-16T10:31:15Z", "u3", null, null),  // 1m 10:31 still open: on time
                event("d", "page_view", "2026-02-16T10:24:00Z", "u4", null, null)); // 1m and 5m closed; 1h, 1d open
        events.forEach(e -> batch.add(e, e.timestamp()));

        assertThat(batch.events()).isEqualTo(4);
        assertThat(batch.lateEvents()).isEqualTo(2);
        Map<CellKey, MetricCell> cells = cells(batch);
        assertThat(cells).doesNotContainKey(key(WindowSize.ONE_MINUTE, "2026-02-16T10:30:00Z", Dimension.NONE, null, ALL));
        assertThat(cells).doesNotContainKey(key(WindowSize.ONE_MINUTE, "2026-02-16T10:24:00Z", Dimension.NONE, null, ALL));
        assertThat(cells).doesNotContainKey(key(WindowSize.FIVE_MINUTES, "2026-02-16T10:20:00Z", Dimension.NONE, null, ALL));
        assertThat(cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:31:00Z", Dimension.NONE, null, ALL)).value(null).count())
                .isEqualTo(2);
        assertThat(cells.get(key(WindowSize.FIVE_MINUTES, "2026-02-16T10:30:00Z", Dimension.NONE, null, ALL)).value(null).count())
                .isEqualTo(3);
        CellValue hour = cells.get(key(WindowSize.ONE_HOUR, "2026-02-16T10:00:00Z", Dimension.NONE, null, ALL)).value(null);
        assertThat(hour.count()).isEqualTo(4);
        assertThat(Math.round(hour.uniqueUsers())).isEqualTo(4);
        assertThat(cells.get(key(WindowSize.ONE_DAY, "2026-02-16T00:00:00Z", Dimension.NONE, null, ALL)).value(null).count())
                .isEqualTo(4);
        assertThat(batch.watermark().maxEventTime()).isEqualTo(at("2026-02-16T10:31:30Z"));

        // both late events arrived while the watermark was at 10:31:20: filed under the minute 10:31
        assertThat(cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:31:00Z", Dimension.NONE, null, CellKey.LATE))
                .value(null).count()).isEqualTo(2);
        assertThat(cells.get(key(WindowSize.ONE_HOUR, "2026-02-16T10:00:00Z", Dimension.NONE, null, CellKey.LATE))
                .value(null).count()).isEqualTo(2);

        ReferenceAggregation model = ReferenceAggregation.of(inputs(events), List.of(), lateness, SKEW);
        model.assertMatches(cells);
        assertThat(model.lateEvents).isEqualTo(2);
    }

    @Test
    void eventAtTheWatermarkOfItsOwnBatchIsNotLate() {
        // the event that advances the watermark is counted before the watermark moves
        PartitionBatch batch = new PartitionBatch(List.of(), Watermark.initial(0), SKEW);
        batch.add(event("a", "x", "2026-02-16T10:30:59.999Z", "u", null, null), at("2026-02-16T10:30:59.999Z"));
        batch.add(event("b", "x", "2026-02-16T10:31:00Z", "u", null, null), at("2026-02-16T10:31:00Z"));
        batch.add(event("c", "x", "2026-02-16T10:30:30Z", "u", null, null), at("2026-02-16T10:31:00Z"));
        assertThat(batch.lateEvents()).isEqualTo(1);
        assertThat(cells(batch).get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:30:00Z", Dimension.NONE, null, ALL))
                .value(null).count()).isEqualTo(1);
    }

    @Test
    void watermarkAdvanceIsCappedAtRecordTimePlusSkew() {
        long skew = Duration.ofMinutes(1).toMillis();
        PartitionBatch batch = new PartitionBatch(List.of(), Watermark.initial(0), skew);
        // a producer with a clock two hours ahead: its record was written at 10:30
        batch.add(event("future", "x", "2026-02-16T12:30:00Z", "u1", null, null), at("2026-02-16T10:30:00Z"));
        assertThat(batch.watermark().maxEventTime()).isEqualTo(at("2026-02-16T10:31:00Z"));
        // so an ordinary event at 10:45 is on time (it would be late had the watermark gone to 12:30)
        batch.add(event("normal", "x", "2026-02-16T10:45:00Z", "u2", null, null), at("2026-02-16T10:45:00Z"));
        assertThat(batch.lateEvents()).isZero();
        // the future event still counts, in its own windows
        Map<CellKey, MetricCell> cells = cells(batch);
        assertThat(cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T12:30:00Z", Dimension.NONE, null, ALL)).value(null).count())
                .isEqualTo(1);
        assertThat(cells.get(key(WindowSize.ONE_MINUTE, "2026-02-16T10:45:00Z", Dimension.NONE, null, ALL)).value(null).count())
                .isEqualTo(1);
        // an event before 10:30:00 is late for its minute (watermark at 10:45)
        batch.add(event("old", "x", "2026-02-16T10:29:00Z", "u3", null, null), at("2026-02-16T10:45:00Z"));
        assertThat(batch.lateEvents()).isEqualTo(1);
    }

    @Test
    void eventsBehindTheirRecordTimeAdvanceTheWatermarkToTheirOwnTime() {
        PartitionBatch batch = new PartitionBatch(List.of(), Watermark.initial(0), SKEW);
        batch.add(event("a", "x", "2026-02-16T10:30:00Z", "u", null, null), at("2026-02-16T11:00:00Z"));
        assertThat(batch.watermark().maxEventTime()).isEqualTo(at("2026-02-16T10:30:00Z"));
    }

    @Test
    void skewCapDoesNotOverflowForExtremeRecordTimestamps() {
        PartitionBatch batch = new PartitionBatch(List.of(), Watermark.initial(0), Long.MAX_VALUE / 2);
        AnalyticsEvent e = event("a", "x", "2026-02-16T10:30:00Z", "u", null, null);
        batch.add(e, Long.MAX_VALUE - 10);
        assertThat(batch.watermark().maxEventTime()).isEqualTo(e.timestamp());
    }

    @Test
    void carriedWatermarkMakesTheNextBatchRefuseClosedWindows() {
        PartitionBatch first = new PartitionBatch(List.of(), Watermark.initial(0), SKEW);
        first.add(event("a", "x", "2026-02-16T10:35:00Z", "u", null, null), at("2026-02-16T10:35:00Z"));
        PartitionBatch second = new PartitionBatch(List.of(), first.watermark(), SKEW);
        second.add(event("b", "x", "2026-02-16T10:34:00Z", "u", null, null), at("2026-02-16T10:35:00Z"));
        assertThat(second.lateEvents()).isEqualTo(1);
        assertThat(cells(second)).doesNotContainKey(
                key(WindowSize.ONE_MINUTE, "2026-02-16T10:34:00Z", Dimension.NONE, null, ALL));
        // the 5m window 10:30-10:35 ends exactly at the watermark: closed as well
        assertThat(cells(second)).doesNotContainKey(
                key(WindowSize.FIVE_MINUTES, "2026-02-16T10:30:00Z", Dimension.NONE, null, ALL));
        assertThat(cells(second)).containsKey(
                key(WindowSize.ONE_HOUR, "2026-02-16T10:00:00Z", Dimension.NONE, null, ALL));
    }

    @Test
    void emptyBatchHasNoDeltasAndKeepsItsWatermark() {
        Watermark start = Watermark.initial(5).advance(123_456);
        PartitionBatch batch = new PartitionBatch(List.of(COUNTRY), start, SKEW);
        assertThat(batch.deltas()).isEmpty();
        assertThat(batch.watermark()).isEqualTo(start);
        assertThat(batch.events()).isZero();
    }

    @Test
    void deltasOfTwoHalvesMergeToTheWhole() {
        List<AnalyticsEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String type = i % 3 == 0 ? "purchase_completed" : "page_view";
            events.add(event("e" + i, type, Instant.parse("2026-02-16T10:00:00Z").plusSeconds(i * 7L).toString(),
                    "user" + (i * 37 % 211), i % 4 == 0 ? null : "C" + (i % 5), i % 3 == 0 ? (i % 50) + 0.25 : null));
        }
        long lateness = Duration.ofMinutes(2).toMillis();
        PartitionBatch whole = new PartitionBatch(List.of(COUNTRY), Watermark.initial(lateness), SKEW);
        events.forEach(e -> whole.add(e, e.timestamp()));
        PartitionBatch firstHalf = new PartitionBatch(List.of(COUNTRY), Watermark.initial(lateness), SKEW);
        events.subList(0, 150).forEach(e -> firstHalf.add(e, e.timestamp()));
        PartitionBatch secondHalf = new PartitionBatch(List.of(COUNTRY), firstHalf.watermark(), SKEW);
        events.subList(150, 300).forEach(e -> secondHalf.add(e, e.timestamp()));

        Map<CellKey, MetricCell> merged = ReferenceAggregation.merge(List.of(firstHalf.deltas(), secondHalf.deltas()));
        ReferenceAggregation model = ReferenceAggregation.of(inputs(events), List.of("country"), lateness, SKEW);
        model.assertMatches(merged);
        model.assertMatches(cells(whole));
        // 211 distinct users over the whole day
        assertThat(Math.round(merged.get(key(WindowSize.ONE_DAY, "2026-02-16T00:00:00Z", Dimension.NONE, null, ALL))
                .value(null).uniqueUsers())).isEqualTo(211);
    }

    /**
     * An event time far outside the epoch-millisecond range would overflow window and watermark arithmetic
     * and make the next on-time events of its partition vanish; the validator keeps it out of the pipeline.
     */
    @Test
    void extremeTimestampsNeverReachAPartitionBatch() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var extreme = EventValidator.validate(json.readTree(
                "{\"event_id\":\"x\",\"event_type\":\"t\",\"timestamp\":\"-292275055-05-16T16:47:05.192Z\"}"), P);
        assertThat(extreme).isInstanceOfSatisfying(EventValidator.Invalid.class,
                invalid -> assertThat(invalid.error()).startsWith("timestamp: "));
    }

    static List<ReferenceAggregation.Input> inputs(List<AnalyticsEvent> events) {
        return events.stream().map(e -> new ReferenceAggregation.Input(e, e.timestamp())).toList();
    }
}
