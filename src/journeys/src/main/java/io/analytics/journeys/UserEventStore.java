package io.analytics.journeys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.journey.UserEvent;
import io.analytics.core.metric.Dimension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The {@code user_events} table: one row per event of a known user, with the values of the configured
 * dimensions. Written idempotently by event id; read by project and event-time range.
 */
public final class UserEventStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> DIMENSIONS = new TypeReference<>() {};
    /**
     * PostgreSQL checks the key through the primary key itself. The portable form's NOT EXISTS lookup is
     * planned, and a plan the server keeps for the prepared statement, made while the table was empty,
     * may walk {@code user_events_by_time} over all of the project's events instead (15 ms an insert at
     * 100,000 events, growing with the table).
     */
    private static final String INSERT_POSTGRES = "INSERT INTO user_events (project_id, event_id, user_id, event_time, event_type, "
            + "dimensions) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, event_id) DO NOTHING";
    private static final String INSERT_PORTABLE = "INSERT INTO user_events (project_id, event_id, user_id, event_time, event_type, "
            + "dimensions) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM user_events WHERE project_id = ? AND event_id = ?)";

    private final DataSource dataSource;
    private final List<Dimension> dimensions;
    private final int maxQueryEvents;
    private final boolean postgres;

    /** Asked for more events than {@code max-query-events}: the range must be narrowed. */
    public static final class RangeTooLargeException extends RuntimeException {
        RangeTooLargeException(String message) {
            super(message);
        }
    }

    public UserEventStore(DataSource dataSource, List<Dimension> dimensions, int maxQueryEvents) {
        this.dataSource = dataSource;
        this.dimensions = List.copyOf(dimensions);
        this.maxQueryEvents = maxQueryEvents;
        this.postgres = isPostgres(dataSource);
    }

    public void createTable() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS user_events (project_id VARCHAR(200) NOT NULL, "
                    + "event_id VARCHAR(200) NOT NULL, user_id VARCHAR(200) NOT NULL, event_time BIGINT NOT NULL, "
                    + "event_type VARCHAR(200) NOT NULL, dimensions VARCHAR(8000) NOT NULL, PRIMARY KEY (project_id, event_id))");
            statement.execute("CREATE INDEX IF NOT EXISTS user_events_by_time ON user_events (project_id, event_time)");
        }
    }

    /**
     * Records the events of known users (others are skipped) in one transaction; an event id already
     * recorded for its project is left as it is. Returns how many rows were new.
     */
    public int record(List<AnalyticsEvent> events) throws SQLException {
        Map<String, AnalyticsEvent> distinct = new LinkedHashMap<>();
        for (AnalyticsEvent event : events) {
            if (event.userId() != null) {
                distinct.putIfAbsent(event.projectId() + '\u0000' + event.eventId(), event);
            }
        }
        if (distinct.isEmpty()) {
            return 0;
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(postgres ? INSERT_POSTGRES : INSERT_PORTABLE)) {
                for (AnalyticsEvent event : distinct.values()) {
                    insert.setString(1, event.projectId());
                    insert.setString(2, event.eventId());
                    insert.setString(3, event.userId());
                    insert.setLong(4, event.timestamp());
                    insert.setString(5, event.eventType());
                    insert.setString(6, dimensionsOf(event));
                    if (!postgres) {
                        insert.setString(7, event.projectId());
                        insert.setString(8, event.eventId());
                    }
                    insert.addBatch();
                }
                int inserted = 0;
                for (int count : insert.executeBatch()) {
                    inserted += Math.max(count, 0);
                }
                connection.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the user events database: " + e.getMessage(), e);
        }
    }

    private String dimensionsOf(AnalyticsEvent event) {
        Map<String, String> values = new HashMap<>();
        for (Dimension dimension : dimensions) {
            String value = dimension.valueOf(event);
            if (value != null) {
                values.put(dimension.name(), value);
            }
        }
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode dimension values", e);
        }
    }

    /** The project's events with {@code from <= time < to}, grouped by user. */
    public Map<String, List<UserEvent>> eventsByUser(String project, long from, long to) throws SQLException {
        Map<String, List<UserEvent>> users = new HashMap<>();
        int count = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT user_id, event_time, event_type, event_id, dimensions "
                        + "FROM user_events WHERE project_id = ? AND event_time >= ? AND event_time < ?")) {
            connection.setAutoCommit(false);
            query.setString(1, project);
            query.setLong(2, from);
            query.setLong(3, to);
            query.setFetchSize(10_000);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    if (++count > maxQueryEvents) {
                        throw new RangeTooLargeException("the range holds more than " + maxQueryEvents
                                + " events of known users (analytics.journeys.max-query-events); narrow start_time/end_time");
                    }
                    UserEvent event = new UserEvent(rows.getString(1), rows.getLong(2), rows.getString(3), rows.getString(4),
                            decode(rows.getString(5)));
                    users.computeIfAbsent(event.userId(), k -> new ArrayList<>()).add(event);
                }
            }
        }
        return users;
    }

    private static Map<String, String> decode(String json) {
        try {
            return JSON.readValue(json, DIMENSIONS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt dimensions in user_events: " + json, e);
        }
    }
}
