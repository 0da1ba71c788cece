package io.analytics.projections;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/** A projection's JDBC session over one pooled connection, auto-commit off as the projection requires. */
public final class PlainJdbcSession implements JdbcSession {

    private final Connection connection;

    public PlainJdbcSession(DataSource dataSource) {
        try {
            this.connection = dataSource.getConnection();
            this.connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open a projection session: " + e.getMessage(), e);
        }
    }

    @Override
    public <Result> Result withConnection(Function<Connection, Result> func) throws Exception {
        return func.apply(connection);
    }

    @Override
    public void commit() throws SQLException {
        connection.commit();
    }

    @Override
    public void rollback() throws SQLException {
        connection.rollback();
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
