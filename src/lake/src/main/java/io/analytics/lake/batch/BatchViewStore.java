package io.analytics.lake.batch;

import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.window.WindowSize;
import io.analytics.projections.MetricCellStore;
import io.analytics.query.BatchViews;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batch views in the node's database (PostgreSQL or H2): {@code batch_windows}, the exact 1h and 1d
 * cells, and {@code batch_days}, the UTC days they cover. A day is replaced whole in one transaction,
 * so a query sees a day's old views or its new ones, never a mix.
 *
 * <p>A row holds every dimension value of one window, dimension and event type, packed
 * ({@link PackedCells}), at most {@link #CELLS_PER_ROW} to a row: a query reads whole windows of one
 * series anyway, and a day of a dimension with thousands of values then costs hundreds of rows to
 * write instead of hundreds of thousands.
 */
public final class BatchViewStore implements BatchViews {

    private static final Logger log = LoggerFactory.getLogger(BatchViewStore.class);

    static final long DAY = Duration.ofDays(1).toMillis();
    static final int CELLS_PER_ROW = 4096;

    private final DataSource dataSource;

    public BatchViewStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void createTablesIfNotExist() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS batch_windows (project_id VARCHAR(200) NOT NULL, window_size VARCHAR(4) NOT NULL, "
                    + "window_start BIGINT NOT NULL, dimension VARCHAR(200) NOT NULL, event_type VARCHAR(100) NOT NULL, "
                    + "part INT NOT NULL, cells BYTEA NOT NULL, "
                    + "PRIMARY KEY (project_id, window_size, dimension, event_type, window_start, part))");
            s.execute("CREATE INDEX IF NOT EXISTS batch_windows_by_start ON batch_windows (window_start)");
            s.execute("CREATE TABLE IF NOT EXISTS batch_days (day_start BIGINT PRIMARY KEY, computed_at BIGINT NOT NULL, "
                    + "events BIGINT NOT NULL, files INT NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the batch view tables: " + e.getMessage(), e);
        }
        forgetDaysOfUnpackedViews();
    }

    /**
     * Views written before the packed rows ({@code batch_cells}, one row per cell) are not read any more: their
     * days are forgotten, so the live layer answers them until {@code ./analytics batch} recomputes them from
     * the lake, and the old table is dropped (it only ever held what the lake recomputes).
     */
    private void forgetDaysOfUnpackedViews() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            try {
                s.executeQuery("SELECT 1 FROM batch_cells WHERE 1 = 0").close();
            } catch (SQLException noOldTable) {
                return;
            }
            int forgotten = s.executeUpdate("DELETE FROM batch_days WHERE NOT EXISTS (SELECT 1 FROM batch_windows w "
                    + "WHERE w.window_start >= batch_days.day_start AND w.window_start < batch_days.day_start + " + DAY + ")");
            s.execute("DROP TABLE batch_cells");
            log.warn("Batch views in the old one-row-per-cell table were dropped; {} days are served by the live layer "
                    + "until ./analytics batch recomputes them", forgotten);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot retire the old batch view table batch_cells: " + e.getMessage(), e);
        }
    }

    /** Replaces the views of one UTC day. */
    public void replaceDay(long dayStart, List<CellValue> cells, long events, int files, long computedAt) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM batch_windows WHERE window_start >= ? AND window_start < ?");
                    PreparedStatement insert = c.prepareStatement("INSERT INTO batch_windows (project_id, window_size, window_start, "
                            + "dimension, event_type, part, cells) VALUES (?,?,?,?,?,?,?)");
                    PreparedStatement forget = c.prepareStatement("DELETE FROM batch_days WHERE day_start = ?");
                    PreparedStatement cover = c.prepareStatement("INSERT INTO batch_days (day_start, computed_at, events, files) VALUES (?,?,?,?)")) {
                delete.setLong(1, dayStart);
                delete.setLong(2, dayStart + DAY);
                delete.executeUpdate();
                insertWindows(insert, cells);
                forget.setLong(1, dayStart);
                forget.executeUpdate();
                cover.setLong(1, dayStart);
                cover.setLong(2, computedAt);
                cover.setLong(3, events);
                cover.setInt(4, files);
                cover.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void insertWindows(PreparedStatement insert, List<CellValue> cells) throws SQLException {
        Map<CellKey, List<CellValue>> windows = new HashMap<>();
        for (CellValue cell : cells) {
            CellKey key = cell.key();
            CellKey window = new CellKey(key.projectId(), key.window(), key.windowStart(), key.dimension(), null, key.eventType());
            windows.computeIfAbsent(window, w -> new ArrayList<>()).add(cell);
        }
        for (Map.Entry<CellKey, List<CellValue>> window : windows.entrySet()) {
            CellKey key = window.getKey();
            List<CellValue> values = window.getValue();
            for (int part = 0; part * CELLS_PER_ROW < values.size(); part++) {
                insert.setString(1, key.projectId());
                insert.setString(2, key.window().code());
                insert.setLong(3, key.windowStart());
                insert.setString(4, key.dimension());
                insert.setString(5, key.eventType());
                insert.setInt(6, part);
                insert.setBytes(7, PackedCells.pack(values.subList(part * CELLS_PER_ROW,
                        Math.min(values.size(), (part + 1) * CELLS_PER_ROW))));
                insert.addBatch();
            }
        }
        insert.executeBatch();
    }

    @Override
    public Answer select(MetricQuery query) {
        if (query.cellSize() != WindowSize.ONE_HOUR && query.cellSize() != WindowSize.ONE_DAY) {
            return Answer.NOTHING;
        }
        try (Connection c = dataSource.getConnection()) {
            List<Range> covered = covered(c, query.start(), query.end());
            if (covered.isEmpty()) {
                return Answer.NOTHING;
            }
            return new Answer(covered, cells(c, query));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the batch views: " + e.getMessage(), e);
        }
    }

    /** The day's exact cells of one window size, dimension and event type ({@code *} for all). */
    public List<CellValue> cells(MetricQuery query) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return cells(c, query);
        }
    }

    public boolean covers(long dayStart) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return !covered(c, dayStart, dayStart + DAY).isEmpty();
        }
    }

    /** Covered days meeting [start, end), adjacent days joined into one range. */
    private static List<Range> covered(Connection c, long start, long end) throws SQLException {
        List<Range> ranges = new ArrayList<>();
        try (PreparedStatement days = c.prepareStatement(
                "SELECT day_start FROM batch_days WHERE day_start < ? AND day_start + " + DAY + " > ? ORDER BY day_start")) {
            days.setLong(1, end);
            days.setLong(2, start);
            try (ResultSet rows = days.executeQuery()) {
                while (rows.next()) {
                    long day = rows.getLong(1);
                    Range last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                    if (last != null && last.end() == day) {
                        ranges.set(ranges.size() - 1, new Range(last.start(), day + DAY));
                    } else {
                        ranges.add(new Range(day, day + DAY));
                    }
                }
            }
        }
        return ranges;
    }

    private static List<CellValue> cells(Connection c, MetricQuery query) throws SQLException {
        String sql = "SELECT window_start, cells FROM batch_windows "
                + "WHERE project_id = ? AND window_size = ? AND dimension = ? AND event_type = ? AND window_start >= ? AND window_start < ?";
        List<CellValue> cells = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql)) {
            MetricCellStore.bindQuery(select, query);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    CellKey window = new CellKey(query.projectId(), query.cellSize(), rows.getLong(1), query.groupBy().name(), null,
                            query.cellEventType());
                    PackedCells.unpack(window, rows.getBytes(2), cells);
                }
            }
        }
        return cells;
    }
}
