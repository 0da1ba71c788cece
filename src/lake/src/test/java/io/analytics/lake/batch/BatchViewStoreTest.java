package io.analytics.lake.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.window.WindowSize;
import io.analytics.core.window.WindowSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchViewStoreTest {

    private static final long DAY_START = 1_771_200_000_000L;

    @TempDir
    Path dir;
    private JdbcDataSource h2;
    private BatchViewStore views;

    @BeforeEach
    void createStore() {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("views"));
        views = new BatchViewStore(h2);
        views.createTablesIfNotExist();
    }

    @Test
    void daysOfTheOldOneRowPerCellTableAreForgottenSoTheLiveLayerAnswersThem() throws Exception {
        views.replaceDay(DAY_START, List.of(cell(DAY_START, "a", 1, 1, 1)), 1, 1, 0);
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE batch_cells (project_id VARCHAR(200))");
            s.execute("INSERT INTO batch_days (day_start, computed_at, events, files) VALUES (" + (DAY_START - BatchViewStore.DAY) + ", 0, 9, 1)");
        }
        assertThat(views.covers(DAY_START - BatchViewStore.DAY)).isTrue();

        new BatchViewStore(h2).createTablesIfNotExist();

        assertThat(views.covers(DAY_START - BatchViewStore.DAY)).as("a day only the old table held").isFalse();
        assertThat(views.covers(DAY_START)).as("a day already in packed rows").isTrue();
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT 1 FROM batch_cells")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void aWindowWithMoreValuesThanARowHoldsReadsBackWhole() throws Exception {
        List<CellValue> cells = new ArrayList<>();
        int values = BatchViewStore.CELLS_PER_ROW * 2 + 5;
        for (int i = 0; i < values; i++) {
            cells.add(cell(DAY_START, "prod_" + i, i, i * 1.25, i % 7));
        }
        cells.add(cell(DAY_START, null, 3, 0, 2));
        cells.add(cell(DAY_START + WindowSize.ONE_HOUR.millis(), "prödüct ✓", 4, 9.5, 1));
        views.replaceDay(DAY_START, cells, 100, 3, 0);

        assertThat(views.cells(query())).containsExactlyInAnyOrderElementsOf(cells);
        assertThat(views.covers(DAY_START)).isTrue();
    }

    @Test
    void replacingADayDropsItsEarlierCells() throws Exception {
        views.replaceDay(DAY_START, List.of(cell(DAY_START, "a", 1, 1, 1), cell(DAY_START, "b", 2, 2, 2)), 3, 1, 0);
        List<CellValue> again = List.of(cell(DAY_START, "a", 5, 5, 5));
        views.replaceDay(DAY_START, again, 5, 1, 1);

        assertThat(views.cells(query())).containsExactlyElementsOf(again);
    }

    private static CellValue cell(long hour, String value, long count, double amount, double users) {
        return new CellValue(new CellKey("p", WindowSize.ONE_HOUR, hour, "product_id", value, CellKey.ALL_TYPES), count, amount, users);
    }

    private static MetricQuery query() {
        return new MetricQuery("p", Metric.EVENTS, WindowSpec.tumbling(WindowSize.ONE_HOUR), DAY_START,
                DAY_START + BatchViewStore.DAY, new Dimension("product_id"), null);
    }
}
