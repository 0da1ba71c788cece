package io.analytics.projections;

import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.window.WindowSize;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The read model of closed windows: table {@code metric_cells}, one row per cell and source
 * partition, holding final values. Rows are written whole (upserts of absolute values), so storing the
 * same closed window twice is harmless. Works on PostgreSQL and on H2 (the embedded default).
 *
 * <p>Rows keep the cell's sketches (users, amounts), so queries union them across partitions and
 * windows. Tables from before the sketches were stored gain the two columns at start; their old rows
 * have none and are answered from the {@code unique_users} estimate.
 */
public final class MetricCellStore {

    private static final String COLUMNS = "project_id, window_size, window_start, dimension, has_value, "
            + "dimension_value, event_type, partition_id, event_count, amount, unique_users, users, amounts";
    private static final String KEY = "project_id, window_size, dimension, event_type, window_start, has_value, "
            + "dimension_value, partition_id";

    /** One stored cell and the partition it came from. */
    public record PartitionCell(int partition, CellValue cell) {}

    private final DataSource dataSource;
    private final boolean postgres;
    private final String upsertSql;

    public MetricCellStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.postgres = isPostgres(dataSource);
        this.upsertSql = postgres
                ? "INSERT INTO metric_cells (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (" + KEY
                        + ") DO UPDATE SET event_count = EXCLUDED.event_count, amount = EXCLUDED.amount, "
                        + "unique_users = EXCLUDED.unique_users, users = EXCLUDED.users, amounts = EXCLUDED.amounts"
                : "MERGE INTO metric_cells (" + COLUMNS + ") KEY (" + KEY + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
    }

    public void createTableIfNotExists() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS metric_cells ("
                    + "project_id VARCHAR(200) NOT NULL, window_size VARCHAR(4) NOT NULL, window_start BIGINT NOT NULL, "
                    + "dimension VARCHAR(200) NOT NULL, has_value BOOLEAN NOT NULL, dimension_value VARCHAR(256) NOT NULL, "
                    + "event_type VARCHAR(100) NOT NULL, partition_id INT NOT NULL, event_count BIGINT NOT NULL, "
                    + "amount DOUBLE PRECISION NOT NULL, unique_users DOUBLE PRECISION NOT NULL, "
                    + "PRIMARY KEY (" + KEY + "))");
            String bytes = postgres ? "BYTEA" : "VARBINARY";
            statement.execute("ALTER TABLE metric_cells ADD COLUMN IF NOT EXISTS users " + bytes);
            statement.execute("ALTER TABLE metric_cells ADD COLUMN IF NOT EXISTS amounts " + bytes);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create table metric_cells: " + e.getMessage(), e);
        }
    }

    /** Stores the final values of closed cells of one partition, in one transaction. */
    public void store(int partition, List<CellValue> cells) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement upsert = connection.prepareStatement(upsertSql)) {
                for (CellValue cell : cells) {
                    bind(upsert, partition, cell);
                    upsert.addBatch();
                }
                upsert.executeBatch();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    public List<PartitionCell> select(MetricQuery query) throws SQLException {
        String sketches = switch (query.metric()) {
            case UNIQUE_USERS -> "users, NULL";
            case AMOUNT_PERCENTILES -> "NULL, amounts";
            default -> "NULL, NULL";
        };
        String sql = "SELECT window_start, has_value, dimension_value, partition_id, event_count, amount, unique_users, "
                + sketches + " FROM metric_cells WHERE project_id = ? AND window_size = ? AND dimension = ? AND event_type = ? "
                + "AND window_start >= ? AND window_start < ?";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            bindQuery(select, query);
            List<PartitionCell> cells = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    CellKey key = new CellKey(query.projectId(), query.cellSize(), rows.getLong(1), query.groupBy().name(),
                            rows.getBoolean(2) ? rows.getString(3) : null, query.cellEventType());
                    cells.add(new PartitionCell(rows.getInt(4), new CellValue(key, rows.getLong(5), rows.getDouble(6),
                            rows.getDouble(7), rows.getBytes(8), rows.getBytes(9))));
                }
            }
            return cells;
        }
    }

    /**
     * Retention: deletes the closed cells of the given window sizes that started before {@code before};
     * returns how many rows went. Larger windows keep answering for the same time.
     */
    public int deleteBefore(List<WindowSize> sizes, long before) throws SQLException {
        String placeholders = String.join(",", java.util.Collections.nCopies(sizes.size(), "?"));
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM metric_cells WHERE window_size IN (" + placeholders + ") AND window_start < ?")) {
            for (int i = 0; i < sizes.size(); i++) {
                delete.setString(i + 1, sizes.get(i).code());
            }
            delete.setLong(sizes.size() + 1, before);
            return delete.executeUpdate();
        }
    }

    private static void bind(PreparedStatement upsert, int partition, CellValue cell) throws SQLException {
        bindCell(upsert, cell, 9);
        upsert.setInt(8, partition);
        upsert.setBytes(12, cell.users());
        upsert.setBytes(13, cell.amounts());
    }

    /**
     * Binds what a query selects as parameters 1 to 6: project, stored window size, dimension, event
     * type, window start from (inclusive) and to (exclusive). Shared with tables of the same cell shape.
     */
    public static void bindQuery(PreparedStatement select, MetricQuery query) throws SQLException {
        select.setString(1, query.projectId());
        select.setString(2, query.cellSize().code());
        select.setString(3, query.groupBy().name());
        select.setString(4, query.cellEventType());
        select.setLong(5, query.cellsFrom());
        select.setLong(6, query.cellsTo());
    }

    /**
     * Binds a cell in this table's column order: the key as parameters 1 to 7 (project, window size,
     * window start, dimension, has value, value or "", event type), its values from {@code valuesAt}
     * (count, amount, unique users). Shared with tables of the same cell shape (batch views).
     */
    public static void bindCell(PreparedStatement statement, CellValue cell, int valuesAt) throws SQLException {
        CellKey key = cell.key();
        statement.setString(1, key.projectId());
        statement.setString(2, key.window().code());
        statement.setLong(3, key.windowStart());
        statement.setString(4, key.dimension());
        statement.setBoolean(5, key.dimensionValue() != null);
        statement.setString(6, key.dimensionValue() == null ? "" : key.dimensionValue());
        statement.setString(7, key.eventType());
        statement.setLong(valuesAt, cell.count());
        statement.setDouble(valuesAt + 1, cell.amount());
        statement.setDouble(valuesAt + 2, cell.uniqueUsers());
    }

    private static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the read-model database: " + e.getMessage(), e);
        }
    }
}
