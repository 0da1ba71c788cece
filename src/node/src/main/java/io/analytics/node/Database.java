package io.analytics.node;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The node's relational database: PostgreSQL, or an H2 file in the embedded default. Holds the
 * journal and snapshots of the entities, projection offsets and the read models.
 */
final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final boolean postgres;

    Database(NodeSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.databaseUrl());
        config.setUsername(settings.databaseUser());
        config.setPassword(settings.databasePassword());
        config.setMaximumPoolSize(settings.databasePoolSize());
        config.setPoolName("analytics");
        config.setInitializationFailTimeout(15_000);
        try {
            this.dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the database at " + settings.databaseUrl()
                    + " as '" + settings.databaseUser() + "': " + rootMessage(e), e);
        }
        this.postgres = settings.databaseUrl().startsWith("jdbc:postgresql:");
    }

    HikariDataSource dataSource() {
        return dataSource;
    }

    /**
     * Creates the journal, snapshot and tag tables of pekko-persistence-jdbc from the scripts shipped in
     * its jar. The scripts name the {@code public} schema; it is dropped so the tables land in the
     * connection's current schema, which lets several nodes or test runs share one database.
     */
    void createJournalTables() {
        String script = postgres ? "schema/postgres/postgres-create-schema.sql" : "schema/h2/h2-create-schema.sql";
        String ddl = resource(script).replace("public.", "").replace("PUBLIC.", "");
        if (postgres) {
            ddl = ddl.replace("CREATE INDEX CONCURRENTLY ", "CREATE INDEX IF NOT EXISTS ")
                    .replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ");
        } else {
            ddl = ddl.replace("CREATE UNIQUE INDEX \"", "CREATE UNIQUE INDEX IF NOT EXISTS \"");
        }
        execute(ddl.split(";"));
        if (postgres) {
            // eventsByTag restricts the journal's ordering, not the tag table's event id: PostgreSQL cannot
            // use the range on an index over (tag, event_id), and without statistics (before the first
            // ANALYZE, or with autovacuum off) it planned a nested loop over all of the tag's entries,
            // 10 s for a page at 300,000 events. Without that index the only plan walks the journal's
            // ordering index over the range and probes the tag table's key (see the pool's options).
            execute("DROP INDEX IF EXISTS event_tag_by_tag");
            return;
        }
        // H2 plans the join from the tag side: without this index every page scans the entries before its offset.
        execute("CREATE INDEX IF NOT EXISTS event_tag_by_tag ON \"event_tag\" (\"tag\", \"event_id\")");
    }

    void execute(String... statements) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the database schema: " + e.getMessage(), e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = Database.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath (pekko-persistence-jdbc)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
