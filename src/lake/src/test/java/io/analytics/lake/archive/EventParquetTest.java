package io.analytics.lake.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.event.AnalyticsEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by parquet-java read back through DuckDB's own Parquet reader, column by column. */
class EventParquetTest {

    @TempDir
    Path dir;

    @Test
    void duckdbReadsTypedColumnsAndJsonAttributes() throws Exception {
        Path file = dir.resolve("events.parquet");
        long time = Instant.parse("2026-02-16T10:30:00.123Z").toEpochMilli();
        try (ParquetWriter<ArchivedRecord> writer = EventParquet.writer(file, 1 << 20)) {
            writer.write(ArchivedRecord.of(new AnalyticsEvent("p1", "e1", "purchase_completed", time, "u1", "s1",
                    Map.of("amount", 99.5, "currency", "USD", "product_id", "prod_1", "tags", java.util.List.of("a", "b")),
                    Map.of("country", "DE", "platform", "web")), 3, 42, time + 5));
            writer.write(ArchivedRecord.of(new AnalyticsEvent("p1", "e2", "page_view", time + 1, null, null, null, null),
                    3, 43, time + 6));
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = duck.createStatement();
                ResultSet rows = s.executeQuery("SELECT event_id, event_type, epoch_ms(timestamp), user_id, amount, currency, "
                        + "country, product_id, properties->>'$.tags[1]', metadata->>'$.platform', kafka_partition, kafka_offset, "
                        + "typeof(timestamp) FROM read_parquet('" + file + "') ORDER BY kafka_offset")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("e1");
            assertThat(rows.getString(2)).isEqualTo("purchase_completed");
            assertThat(rows.getLong(3)).isEqualTo(time);
            assertThat(rows.getString(4)).isEqualTo("u1");
            assertThat(rows.getDouble(5)).isEqualTo(99.5);
            assertThat(rows.getString(6)).isEqualTo("USD");
            assertThat(rows.getString(7)).as("looked up in metadata like the metrics dimension").isEqualTo("DE");
            assertThat(rows.getString(8)).isEqualTo("prod_1");
            assertThat(rows.getString(9)).isEqualTo("b");
            assertThat(rows.getString(10)).isEqualTo("web");
            assertThat(rows.getInt(11)).isEqualTo(3);
            assertThat(rows.getLong(12)).isEqualTo(42);
            assertThat(rows.getString(13)).isEqualTo("TIMESTAMP WITH TIME ZONE");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(4)).isNull();
            assertThat(rows.getObject(5)).isNull();
            assertThat(rows.next()).isFalse();
        }
    }

    @Test
    void fileKeysNameHourAndOffsetRange() {
        long time = Instant.parse("2026-02-16T09:59:59.999Z").toEpochMilli();
        String key = LakeLayout.fileKey(time, "events.raw", 5, 100, 199);
        assertThat(key).isEqualTo("events/year=2026/month=02/day=16/hour=09/events.raw-5-0000000000000000100-0000000000000000199.parquet");
        assertThat(LakeLayout.FileRange.of(key)).isEqualTo(new LakeLayout.FileRange("events.raw", 5, 100, 199));
    }
}
