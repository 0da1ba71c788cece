package io.analytics.lake.batch;

import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.window.WindowSize;
import io.analytics.lake.store.ObjectStore;
import io.analytics.query.MetricsService;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Compares, per hour of one UTC day, the live layer's event count with the batch layer's and explains
 * the difference: the live layer does not count in a window an event that arrived after the window
 * had closed (its end at or before the partition's watermark). Those late events are found by
 * replaying each Kafka partition's watermark over the archived records in offset order (the day and
 * the day before, so the watermark has its history).
 */
public final class Reconciliation {

    /** One hour: what each layer counts, and how many of the batch's events arrived after the live window closed. */
    public record Row(long windowStart, long live, long batch, long lateEvents) {
        public long difference() {
            return batch - live;
        }

        public boolean explained() {
            return difference() == lateEvents;
        }
    }

    private final ObjectStore store;
    private final BatchViewStore views;
    private final MetricsService metrics;
    private final BatchRecompute.Settings settings;
    private final Duration allowedLateness;
    private final Duration maxFutureSkew;

    public Reconciliation(ObjectStore store, BatchViewStore views, MetricsService metrics, BatchRecompute.Settings settings,
            Duration allowedLateness, Duration maxFutureSkew) {
        this.store = store;
        this.views = views;
        this.metrics = metrics;
        this.settings = settings;
        this.allowedLateness = allowedLateness;
        this.maxFutureSkew = maxFutureSkew;
    }

    /** The day's hours with events in either layer; refused when the batch layer has not computed the day. */
    public List<Row> report(String project, LocalDate date) throws Exception {
        long dayStart = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        if (!views.covers(dayStart)) {
            throw new IllegalStateException("the batch layer has not computed " + date + " yet: run ./analytics batch --from "
                    + date + " --to " + date);
        }
        MetricQuery hours = new MetricQuery(project, Metric.EVENTS, WindowSize.ONE_HOUR, dayStart, dayStart + BatchViewStore.DAY,
                null, null);
        Map<Long, Long> batch = new HashMap<>();
        for (CellValue cell : views.cells(hours)) {
            batch.merge(cell.key().windowStart(), cell.count(), Long::sum);
        }
        Map<Long, Long> live = new HashMap<>();
        for (MetricSeries series : metrics.queryLiveOnly(hours).toCompletableFuture().get(60, TimeUnit.SECONDS)) {
            series.points().forEach(p -> live.merge(p.windowStart(), p.count(), Long::sum));
        }
        Map<Long, Long> late = lateEvents(project, date, dayStart);
        TreeSet<Long> windows = new TreeSet<>(batch.keySet());
        windows.addAll(live.keySet());
        List<Row> rows = new ArrayList<>(windows.size());
        for (long start : windows) {
            rows.add(new Row(start, live.getOrDefault(start, 0L), batch.getOrDefault(start, 0L), late.getOrDefault(start, 0L)));
        }
        return rows;
    }

    /** Per hour of the day, the events that arrived once their hour window had closed in their partition. */
    private Map<Long, Long> lateEvents(String project, LocalDate date, long dayStart) throws IOException, SQLException {
        Map<Long, Long> late = new HashMap<>();
        List<String> keys = DayFiles.keys(store, date.minusDays(1), date);
        if (keys.isEmpty()) {
            return late;
        }
        long hour = WindowSize.ONE_HOUR.millis();
        try (DayFiles files = DayFiles.stage(store, keys, settings.stagingDir().resolve("reconcile-" + date));
                Connection duck = DayFiles.duckdb(settings);
                PreparedStatement count = duck.prepareStatement("WITH arrivals AS (SELECT project_id, epoch_ms(timestamp) AS t, "
                        + "max(least(epoch_ms(timestamp), epoch_ms(kafka_timestamp) + " + maxFutureSkew.toMillis() + ")) OVER ("
                        + "PARTITION BY kafka_partition ORDER BY kafka_offset ROWS UNBOUNDED PRECEDING) - "
                        + allowedLateness.toMillis() + " AS watermark FROM " + files.scan() + ") "
                        + "SELECT (t // " + hour + ") * " + hour + " AS ws, count(*) FROM arrivals WHERE project_id = ? "
                        + "AND t >= ? AND t < ? AND (t // " + hour + ") * " + hour + " + " + hour + " <= watermark GROUP BY ws")) {
            count.setString(1, project);
            count.setLong(2, dayStart);
            count.setLong(3, dayStart + BatchViewStore.DAY);
            try (ResultSet rows = count.executeQuery()) {
                while (rows.next()) {
                    late.put(rows.getLong(1), rows.getLong(2));
                }
            }
        }
        return late;
    }
}
