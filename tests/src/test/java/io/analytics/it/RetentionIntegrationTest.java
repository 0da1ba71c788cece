package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import io.analytics.core.window.WindowSize;
import io.analytics.projections.MetricCellStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Retention of live windows in the real PostgreSQL: old 1m and 5m cells go, 1h and 1d cells and recent cells stay. */
class RetentionIntegrationTest {

    @Test
    void fineWindowsOlderThanTheRetentionAreDeletedCoarseOnesKept() throws Exception {
        try (TestPostgres postgres = new TestPostgres()) {
            PGSimpleDataSource source = new PGSimpleDataSource();
            source.setUrl(postgres.url());
            source.setUser(TestPostgres.USER);
            MetricCellStore cells = new MetricCellStore(source);
            cells.createTableIfNotExists();
            long now = Instant.parse("2026-03-20T12:00:00Z").toEpochMilli();
            long old = now - Duration.ofDays(31).toMillis();
            long recent = now - Duration.ofDays(29).toMillis();
            for (WindowSize size : WindowSize.values()) {
                cells.store(0, List.of(cell(size, size.startOf(old)), cell(size, size.startOf(recent))));
            }

            int deleted = cells.deleteBefore(List.of(WindowSize.ONE_MINUTE, WindowSize.FIVE_MINUTES),
                    now - Duration.ofDays(30).toMillis());

            assertThat(deleted).isEqualTo(2);
            assertThat(postgres.count("SELECT count(*) FROM metric_cells WHERE window_size IN ('1m','5m')")).isEqualTo(2);
            assertThat(postgres.count("SELECT count(*) FROM metric_cells WHERE window_size IN ('1m','5m') AND window_start < "
                    + (now - Duration.ofDays(30).toMillis()))).isZero();
            assertThat(postgres.count("SELECT count(*) FROM metric_cells WHERE window_size IN ('1h','1d')")).isEqualTo(4);
        }
    }

    private static CellValue cell(WindowSize size, long start) {
        return new CellValue(new CellKey("demo", size, start, "", null, CellKey.ALL_TYPES), 3, 0, 1);
    }
}
