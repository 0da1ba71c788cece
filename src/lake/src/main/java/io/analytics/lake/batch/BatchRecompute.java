package io.analytics.lake.batch;

import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.Dimension;
import io.analytics.core.window.WindowSize;
import io.analytics.lake.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Recomputes the exact 1h and 1d cells of whole UTC days from the lake, one day at a time: the day's
 * Parquet files (copied out of the store unless it keeps them as local files) are loaded into an
 * in-process DuckDB, grouped once per dimension with grouping sets (per event type and all types,
 * the latter with exact distinct users), and the day's views are replaced. Every archived event
 * counts in the window of its event time, however late it arrived.
 */
public final class BatchRecompute extends LakeJob {

    /** Where and how hard DuckDB may work. */
    public record Settings(Path stagingDir, String memoryLimit, int threads, List<Dimension> dimensions) {}

    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_.:-]+");
    private static final List<WindowSize> SIZES = List.of(WindowSize.ONE_HOUR, WindowSize.ONE_DAY);

    private final BatchViewStore views;
    private final Settings settings;

    public BatchRecompute(ObjectStore store, BatchViewStore views, Settings settings, Clock clock) {
        super("batch", store, clock);
        for (Dimension dimension : settings.dimensions()) {
            if (!PLAIN_NAME.matcher(dimension.name()).matches()) {
                throw new IllegalArgumentException("dimension '" + dimension.name() + "' cannot be recomputed in batch: "
                        + "names may use letters, digits and _ . : - only");
            }
        }
        this.views = views;
        this.settings = settings;
    }

    @Override
    protected long processDay(LocalDate day, List<String> keys) throws IOException, SQLException {
        long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        try (DayFiles files = DayFiles.stage(store, keys, settings.stagingDir().resolve("batch-" + day))) {
            List<CellValue> cells = new ArrayList<>();
            long events = keys.isEmpty() ? 0 : aggregate(files, cells);
            views.replaceDay(dayStart, cells, events, keys.size(), clock.millis());
            return events;
        }
    }

    /** Loads the files into DuckDB once, then groups them per window size and dimension; returns the event count. */
    private long aggregate(DayFiles files, List<CellValue> cells) throws SQLException, IOException {
        try (Connection duck = DayFiles.duckdb(settings); Statement s = duck.createStatement()) {
            s.execute("CREATE TEMP TABLE day_events AS SELECT project_id, epoch_ms(timestamp) AS t, event_type, user_id, "
                    + "coalesce(amount, 0) AS amount, " + dimensionColumns() + " FROM " + files.scan());
            long events;
            try (ResultSet count = s.executeQuery("SELECT count(*) FROM day_events")) {
                count.next();
                events = count.getLong(1);
            }
            for (WindowSize size : SIZES) {
                for (int d = 0; d < dimensions().size(); d++) {
                    collect(s, size, d, cells);
                }
            }
            return events;
        }
    }

    private void collect(Statement s, WindowSize size, int d, List<CellValue> cells) throws SQLException {
        String window = "(t // " + size.millis() + ") * " + size.millis();
        String sql = "SELECT project_id, " + window + " AS ws, d" + d + ", "
                + "CASE WHEN grouping(event_type) = 1 THEN '" + CellKey.ALL_TYPES + "' ELSE event_type END, count(*), sum(amount), "
                + "CASE WHEN grouping(event_type) = 1 THEN count(DISTINCT user_id) ELSE 0 END "
                + "FROM day_events GROUP BY GROUPING SETS ((project_id, ws, d" + d + ", event_type), (project_id, ws, d" + d + "))";
        String dimension = dimensions().get(d).name();
        try (ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                CellKey key = new CellKey(rows.getString(1), size, rows.getLong(2), dimension, rows.getString(3), rows.getString(4));
                cells.add(new CellValue(key, rows.getLong(5), rows.getDouble(6), rows.getLong(7)));
            }
        }
    }

    private List<Dimension> dimensions() {
        List<Dimension> all = new ArrayList<>();
        all.add(Dimension.NONE);
        settings.dimensions().stream().filter(d -> !d.isNone()).forEach(all::add);
        return all;
    }

    /** Each dimension as the metrics API reads it: top-level field, else property, else metadata attribute. */
    private String dimensionColumns() {
        List<String> columns = new ArrayList<>();
        List<Dimension> all = dimensions();
        for (int d = 0; d < all.size(); d++) {
            columns.add(dimensionExpression(all.get(d).name()) + " AS d" + d);
        }
        return String.join(", ", columns);
    }

    private static String dimensionExpression(String name) {
        return switch (name) {
            case "" -> "CAST(NULL AS VARCHAR)";
            case "event_type", "user_id", "session_id", "currency", "country", "product_id" -> name;
            default -> "left(coalesce(json_extract_string(properties, '$.\"" + name + "\"'), "
                    + "json_extract_string(metadata, '$.\"" + name + "\"')), " + Dimension.MAX_VALUE_LENGTH + ")";
        };
    }
}
