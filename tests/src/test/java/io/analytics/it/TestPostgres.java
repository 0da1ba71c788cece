package io.analytics.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh schema in the real PostgreSQL server's {@code test} database (127.0.0.1:5432, trust auth),
 * so test runs never see each other's journal or read models.
 */
final class TestPostgres implements AutoCloseable {

    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String USER = "postgres";

    final String schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    TestPostgres() throws SQLException {
        executeOnServer("CREATE SCHEMA " + schema);
    }

    String url() {
        return SERVER + "?currentSchema=" + schema;
    }

    long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), USER, "");
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Runs a statement in this schema. */
    void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void executeOnServer(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        executeOnServer("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
