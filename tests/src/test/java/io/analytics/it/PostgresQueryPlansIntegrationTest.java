package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries of the node on the real PostgreSQL server that must not depend on its statistics, or on a plan
 * it made while a table was empty and kept for a prepared statement (with autovacuum off, nothing ever
 * replaces it).
 *
 * <p>The projections' events-by-tag query, in the journal tables a node
 * creates and with the options of the node's journal pool: a page walks the journal's ordering index
 * from its offset and stops at its limit, also when the tables have no statistics (a new journal, or a
 * server with autovacuum off) and the statement was first prepared while the journal was empty. With an
 * index over (tag, event_id), or a plan kept from the empty journal, a page had been a loop over all of
 * the tag's entries: 10 s per page at 300,000 events.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PostgresQueryPlansIntegrationTest {

    private static final String TAG = "plan-probe";
    private static final int EVENTS = 200_000;
    /** The query pekko-persistence-jdbc 1.1 sends for eventsByTag (its Slick rendering, trimmed of unused columns). */
    private static final String EVENTS_BY_TAG = "select x2.x3, x2.x5, x2.x6 from (select \"deleted\" as x4, \"sequence_number\" as x6, "
            + "\"persistence_id\" as x5, \"ordering\" as x3, \"event_payload\" as x10 from \"event_journal\" where \"deleted\" = false) x2, "
            + "\"event_tag\" x16 where ((x16.\"tag\" = ?) and ((x2.x3 > ?) and (x2.x3 <= ?))) and (x2.x3 = x16.\"event_id\") "
            + "order by x2.x3 limit ?";

    @TempDir
    Path tmp;

    @Test
    void aPageOfATagWalksTheOrderingIndexFromItsOffset() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), Map.of());
            node.close();
            assertThat(postgres.count("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'event_tag'"))
                    .as("event_tag has its key only").isEqualTo(1);

            try (Connection c = journalPoolConnection(postgres)) {
                // Polls of a nearly empty journal, as after a node's start: the driver prepares a statement it
                // reuses on the server, and the server may keep one plan for it.
                prepare(c);
                for (int i = 0; i < 8; i++) {
                    assertThat(page(c, 0, 10, 5_000)).isEmpty();
                    assertThat(plan(c, 0, 10)).isNotEmpty();
                }
                postgres.execute("INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, event_ser_id, "
                        + "event_ser_manifest, event_payload) SELECT 'Probe|p' || (g / 6), g % 6, 'w', 0, 1, 'm', '\\x00'::bytea "
                        + "FROM generate_series(1, " + EVENTS + ") g");
                postgres.execute("INSERT INTO event_tag (event_id, tag) SELECT ordering, '" + TAG + "' FROM event_journal "
                        + "WHERE persistence_id LIKE 'Probe|%'");
                long first = min(c) - 1;

                String plan = plan(c, first + EVENTS - 2_000, first + EVENTS);
                assertThat(plan).as(plan)
                        .contains("Index Scan using event_journal_ordering_idx")
                        .contains("using event_tag_pkey")
                        .doesNotContain("Join Filter")
                        .doesNotContain("Sort")
                        .doesNotContain("Bitmap")
                        .doesNotContain("Seq Scan");
                long started = System.nanoTime();
                assertThat(page(c, first + 1_000, first + EVENTS, 5_000))
                        .hasSize(5_000).isSorted().startsWith(first + 1_001).endsWith(first + 6_000);
                System.out.printf("a 5,000-event page of a %,d-event journal took %.1f ms%n", EVENTS, (System.nanoTime() - started) / 1e6);
            }
        }
    }

    @Test
    void anOrderIsFoundByItsKeyOnly() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), Map.of()).close();
            // A second index led by project_id let a plan kept from the empty table find an order
            // through it, reading all of the project's orders for each one the projection wrote.
            assertThat(postgres.count("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                    + "AND tablename = 'order_view' AND indexname <> 'order_view_pkey' AND indexdef LIKE '%(project_id%'")).isZero();
            assertThat(postgres.count("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                    + "AND indexname = 'order_view_of_user' AND indexdef LIKE '%(user_id, project_id, created_at)'")).isEqualTo(1);
        }
    }

    /** A connection as the node's journal pool opens it: same options. */
    private static Connection journalPoolConnection(TestPostgres postgres) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", TestPostgres.USER);
        properties.setProperty("options", ConfigFactory.parseResources("application.conf")
                .getString("pekko-persistence-jdbc.shared-databases.default.db.properties.options"));
        return DriverManager.getConnection(postgres.url(), properties);
    }

    private static long min(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT min(ordering) FROM event_journal WHERE persistence_id LIKE 'Probe|%'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Prepares a page on the server, as {@code page}, for {@link #plan}. */
    private static void prepare(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("PREPARE page(varchar, bigint, bigint, bigint) AS " + EVENTS_BY_TAG.replace("tag\" = ?", "tag\" = $1")
                    .replace("x3 > ?", "x3 > $2").replace("x3 <= ?", "x3 <= $3").replace("limit ?", "limit $4"));
        }
    }

    /** The plan PostgreSQL uses for the prepared page with these values. */
    private static String plan(Connection c, long from, long to) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("EXPLAIN (COSTS OFF) EXECUTE page('" + TAG + "', " + from + ", " + to + ", 5000)")) {
            while (rows.next()) {
                plan.append(rows.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    private static List<Long> page(Connection c, long from, long to, int limit) throws Exception {
        try (PreparedStatement s = c.prepareStatement(EVENTS_BY_TAG)) {
            bind(s, from, to, limit);
            List<Long> orderings = new ArrayList<>();
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    orderings.add(rows.getLong(1));
                }
            }
            return orderings;
        }
    }

    private static void bind(PreparedStatement s, long from, long to, int limit) throws Exception {
        s.setString(1, TAG);
        s.setLong(2, from);
        s.setLong(3, to);
        s.setLong(4, limit);
    }
}
