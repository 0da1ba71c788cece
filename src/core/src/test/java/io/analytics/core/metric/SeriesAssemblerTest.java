package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.window.Watermark;
import io.analytics.core.window.WindowSize;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SeriesAssemblerTest {

    private static final String P = "proj";
    private static final String ALL = CellKey.ALL_TYPES;
    private static final String PURCHASE = AnalyticsEvent.PURCHASE;
    private static final WindowSize M1 = WindowSize.ONE_MINUTE;

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static final long T0 = at("2026-02-16T10:30:00Z");
    private static final long T1 = at("2026-02-16T10:31:00Z");
    private static final long T2 = at("2026-02-16T10:32:00Z");
    private static final long BEFORE = at("2026-02-16T10:29:00Z");
    private static final long END = at("2026-02-16T10:33:00Z");

    private static CellValue cell(long start, String dim, String value, String type, long count, double amount, double users) {
        return new CellValue(new CellKey(P, M1, start, dim, value, type), count, amount, users);
    }

    private static MetricQuery query(Metric metric, String groupBy, String eventType) {
        return new MetricQuery(P, metric, M1, T0, END, groupBy == null ? null : new Dimension(groupBy), eventType);
    }

    /**
     * Cells as two source partitions (A and B) would report them for minutes 10:30 and 10:31, plus cells
     * the queries must ignore. Partition A: at 10:30 3 events (2 page views, 1 purchase of 40 in US) by
     * 2 users; B: at 10:30 2 events (1 purchase of 60 in DE, 1 page view in US) by 2 users; A at 10:31:
     * 1 purchase of 25 without country, by 1 user.
     */
    private static List<CellValue> cells() {
        List<CellValue> cells = new ArrayList<>(List.of(
                // ungrouped, all types
                cell(T0, "", null, ALL, 3, 40.0, 2.0),
                cell(T0, "", null, ALL, 2, 60.0, 2.0),
                cell(T1, "", null, ALL, 1, 25.0, 1.0),
                // ungrouped, per type
                cell(T0, "", null, "page_view", 2, 0.0, 0),
                cell(T0, "", null, PURCHASE, 1, 40.0, 0),
                cell(T0, "", null, PURCHASE, 1, 60.0, 0),
                cell(T0, "", null, "page_view", 1, 0.0, 0),
                cell(T1, "", null, PURCHASE, 1, 25.0, 0),
                // by country
                cell(T0, "country", "US", ALL, 3, 40.0, 2.0),
                cell(T0, "country", "US", PURCHASE, 1, 40.0, 0),
                cell(T0, "country", "DE", ALL, 1, 60.0, 1.0),
                cell(T0, "country", "DE", PURCHASE, 1, 60.0, 0),
                cell(T0, "country", "US", ALL, 1, 0.0, 1.0),
                cell(T1, "country", null, ALL, 1, 25.0, 1.0),
                cell(T1, "country", null, PURCHASE, 1, 25.0, 0),
                // to be ignored: outside [T0, END), another project, another window size
                cell(BEFORE, "", null, ALL, 100, 1000.0, 50.0),
                cell(BEFORE, "", null, PURCHASE, 100, 1000.0, 0),
                cell(END, "", null, ALL, 100, 1000.0, 50.0),
                cell(END, "", null, PURCHASE, 100, 1000.0, 0),
                new CellValue(new CellKey("other", M1, T0, "", null, ALL), 100, 1000.0, 50.0),
                new CellValue(new CellKey("other", M1, T0, "", null, PURCHASE), 100, 1000.0, 50.0),
                new CellValue(new CellKey(P, WindowSize.FIVE_MINUTES, T0, "", null, ALL), 100, 1000.0, 50.0),
                new CellValue(new CellKey(P, WindowSize.FIVE_MINUTES, T0, "", null, PURCHASE), 100, 1000.0, 50.0)));
        Collections.shuffle(cells, new java.util.Random(7));
        return cells;
    }

    private static MetricSeries.Point point(long start, double value, long count) {
        return new MetricSeries.Point(start, value, count);
    }

    @Test
    void eventsSumsPartitions() {
        List<MetricSeries> series = SeriesAssembler.assemble(query(Metric.EVENTS, null, null), cells());
        assertThat(series).containsExactly(new MetricSeries(null, List.of(point(T0, 5, 5), point(T1, 1, 1))));
    }

    @Test
    void eventsOfOneType() {
        List<MetricSeries> series = SeriesAssembler.assemble(query(Metric.EVENTS, null, "page_view"), cells());
        assertThat(series).containsExactly(new MetricSeries(null, List.of(point(T0, 3, 3))));
        assertThat(SeriesAssembler.assemble(query(Metric.EVENTS, null, "no_such_type"), cells())).isEmpty();
    }

    @Test
    void ordersRevenueAndAverageOrderValue() {
        assertThat(SeriesAssembler.assemble(query(Metric.ORDERS, null, null), cells()))
                .containsExactly(new MetricSeries(null, List.of(point(T0, 2, 2), point(T1, 1, 1))));

        List<MetricSeries> revenue = SeriesAssembler.assemble(query(Metric.REVENUE, null, null), cells());
        assertThat(revenue).hasSize(1);
        assertThat(revenue.get(0).points()).extracting(MetricSeries.Point::windowStart).containsExactly(T0, T1);
        assertThat(revenue.get(0).points().get(0).value()).isCloseTo(100.0, within(1e-9));
        assertThat(revenue.get(0).points().get(0).count()).isEqualTo(2);
        assertThat(revenue.get(0).points().get(1).value()).isCloseTo(25.0, within(1e-9));

        List<MetricSeries> aov = SeriesAssembler.assemble(query(Metric.AVG_ORDER_VALUE, null, null), cells());
        assertThat(aov.get(0).points().get(0).value()).isCloseTo(50.0, within(1e-9));
        assertThat(aov.get(0).points().get(1).value()).isCloseTo(25.0, within(1e-9));
    }

    @Test
    void uniqueUsersAddUpAcrossPartitions() {
        List<MetricSeries> series = SeriesAssembler.assemble(query(Metric.UNIQUE_USERS, null, null), cells());
        assertThat(series).hasSize(1);
        assertThat(series.get(0).points()).extracting(MetricSeries.Point::value).containsExactly(4.0, 1.0);
        assertThat(Metric.UNIQUE_USERS.approximate()).isTrue();
        assertThat(Metric.REVENUE.approximate()).isFalse();
    }

    @Test
    void groupsSortedWithNullLast() {
        List<MetricSeries> events = SeriesAssembler.assemble(query(Metric.EVENTS, "country", null), cells());
        assertThat(events).extracting(MetricSeries::key).containsExactly("DE", "US", null);
        assertThat(events.get(0).points()).containsExactly(point(T0, 1, 1));
        assertThat(events.get(1).points()).containsExactly(point(T0, 4, 4));
        assertThat(events.get(2).points()).containsExactly(point(T1, 1, 1));

        List<MetricSeries> revenue = SeriesAssembler.assemble(query(Metric.REVENUE, "country", null), cells());
        assertThat(revenue).extracting(MetricSeries::key).containsExactly("DE", "US", null);
        assertThat(revenue).extracting(s -> s.points().get(0).value()).containsExactly(60.0, 40.0, 25.0);
    }

    @Test
    void windowsOutsideTheRangeAreExcluded() {
        // [T1, T2) keeps only 10:31; the start is inclusive, the end exclusive
        MetricQuery q = new MetricQuery(P, Metric.EVENTS, M1, T1, T2, null, null);
        assertThat(SeriesAssembler.assemble(q, cells())).containsExactly(new MetricSeries(null, List.of(point(T1, 1, 1))));
        MetricQuery upToT1 = new MetricQuery(P, Metric.EVENTS, M1, T0, T1, null, null);
        assertThat(SeriesAssembler.assemble(upToT1, cells())).containsExactly(new MetricSeries(null, List.of(point(T0, 5, 5))));
        // a range not aligned to windows selects the windows whose start lies in it
        MetricQuery midway = new MetricQuery(P, Metric.EVENTS, M1, T0 + 1, T1 + 1, null, null);
        assertThat(SeriesAssembler.assemble(midway, cells())).containsExactly(new MetricSeries(null, List.of(point(T1, 1, 1))));
    }

    @Test
    void noCellsNoSeries() {
        assertThat(SeriesAssembler.assemble(query(Metric.REVENUE, "country", null), List.of())).isEmpty();
        // windows with no events are omitted
        assertThat(SeriesAssembler.assemble(query(Metric.EVENTS, null, null),
                List.of(cell(T0, "", null, ALL, 0, 0, 0)))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Metric.class, names = {"ORDERS", "REVENUE", "AVG_ORDER_VALUE", "UNIQUE_USERS"})
    void eventTypeFilterOnlyForEvents(Metric metric) {
        assertThatThrownBy(() -> new MetricQuery(P, metric, M1, T0, END, null, "page_view"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("event_type");
    }

    @Test
    void endMustBeAfterStart() {
        assertThatThrownBy(() -> new MetricQuery(P, Metric.EVENTS, M1, T0, T0, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("end_time");
        assertThatThrownBy(() -> new MetricQuery(P, Metric.EVENTS, M1, T1, T0, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new MetricQuery(P, Metric.EVENTS, M1, T0, T0 + 1, null, null).groupBy()).isEqualTo(Dimension.NONE);
    }

    @Test
    void metricFromCodeNamesTheAllowedValues() {
        assertThat(Metric.fromCode("avg_order_value")).isEqualTo(Metric.AVG_ORDER_VALUE);
        assertThatThrownBy(() -> Metric.fromCode("sessions"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metric:")
                .hasMessageContaining("events")
                .hasMessageContaining("unique_users")
                .hasMessageContaining("sessions");
    }

    /** From raw events of two partitions through aggregation to the answer, against sums computed by hand. */
    @Test
    void endToEndFromEventsOfTwoPartitions() {
        // users live in one partition each (the raw topic is keyed by user)
        List<AnalyticsEvent> partitionA = List.of(
                ev("a1", PURCHASE, "2026-02-16T10:30:10Z", "alice", "US", 99.99),
                ev("a2", "page_view", "2026-02-16T10:30:20Z", "alice", "US", null),
                ev("a3", PURCHASE, "2026-02-16T10:31:40Z", "alice", null, 5.0),
                ev("a4", PURCHASE, "2026-02-16T10:35:00Z", "alice", "US", 1000.0)); // outside [10:30, 10:35)
        List<AnalyticsEvent> partitionB = List.of(
                ev("b1", PURCHASE, "2026-02-16T10:30:30Z", "bob", "US", 100.01),
                ev("b2", PURCHASE, "2026-02-16T10:30:40Z", "carol", "DE", 20.0),
                ev("b3", "page_view", "2026-02-16T10:31:10Z", "bob", "DE", null));
        List<CellValue> cells = new ArrayList<>();
        for (List<AnalyticsEvent> partition : List.of(partitionA, partitionB)) {
            PartitionBatch batch = new PartitionBatch(List.of(new Dimension("country")), Watermark.initial(60_000), 60_000);
            partition.forEach(e -> batch.add(e, e.timestamp()));
            WindowCells.rolledUp(batch.deltas()).forEach((key, cell) -> cells.add(cell.value(key)));
        }
        long end = at("2026-02-16T10:35:00Z");

        List<MetricSeries> revenue = SeriesAssembler.assemble(
                new MetricQuery(P, Metric.REVENUE, M1, T0, end, new Dimension("country"), null), cells);
        assertThat(revenue).extracting(MetricSeries::key).containsExactly("DE", "US", null);
        assertThat(revenue.get(0).points()).hasSize(1);
        assertThat(revenue.get(0).points().get(0).value()).isCloseTo(20.0, within(1e-9));
        assertThat(revenue.get(1).points()).hasSize(1);
        assertThat(revenue.get(1).points().get(0).windowStart()).isEqualTo(T0);
        assertThat(revenue.get(1).points().get(0).value()).isCloseTo(200.00, within(1e-9));
        assertThat(revenue.get(1).points().get(0).count()).isEqualTo(2);
        assertThat(revenue.get(2).points()).hasSize(1);
        assertThat(revenue.get(2).points().get(0).windowStart()).isEqualTo(T1);
        assertThat(revenue.get(2).points().get(0).value()).isCloseTo(5.0, within(1e-9));

        List<MetricSeries> users5m = SeriesAssembler.assemble(
                new MetricQuery(P, Metric.UNIQUE_USERS, WindowSize.FIVE_MINUTES, T0, end, null, null), cells);
        assertThat(users5m).containsExactly(new MetricSeries(null, List.of(point(T0, 3, 6))));

        List<MetricSeries> aov = SeriesAssembler.assemble(
                new MetricQuery(P, Metric.AVG_ORDER_VALUE, WindowSize.FIVE_MINUTES, T0, end, null, null), cells);
        assertThat(aov).hasSize(1);
        assertThat(aov.get(0).points()).hasSize(1);
        assertThat(aov.get(0).points().get(0).value()).isCloseTo((99.99 + 5.0 + 100.01 + 20.0) / 4, within(1e-9));

        List<MetricSeries> pageViews = SeriesAssembler.assemble(
                new MetricQuery(P, Metric.EVENTS, M1, T0, end, new Dimension("country"), "page_view"), cells);
        assertThat(pageViews).containsExactly(
                new MetricSeries("DE", List.of(point(T1, 1, 1))),
                new MetricSeries("US", List.of(point(T0, 1, 1))));
    }

    private static AnalyticsEvent ev(String id, String type, String iso, String user, String country, Double amount) {
        java.util.Map<String, Object> props = new java.util.HashMap<>();
        if (country != null) {
            props.put("country", country);
        }
        if (amount != null) {
            props.put("amount", amount);
        }
        return new AnalyticsEvent(P, id, type, at(iso), user, null, props, Map.of());
    }
}
