package io.analytics.node;

import io.analytics.core.project.ProjectDirectory;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/** Projects and their API keys, in table {@code projects}, cached in memory (checked on every request). */
final class ProjectStore implements ProjectDirectory {

    private final DataSource dataSource;
    private final Map<String, String> projectByKey = new ConcurrentHashMap<>();

    ProjectStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void createTableIfNotExists(Database database) {
        database.execute("CREATE TABLE IF NOT EXISTS projects (project_id VARCHAR(200) PRIMARY KEY, api_key VARCHAR(200) NOT NULL UNIQUE)");
    }

    void load() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement("SELECT project_id, api_key FROM projects");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                projectByKey.put(rows.getString(2), rows.getString(1));
            }
        }
    }

    /**
     * Makes sure the project exists and returns its key: {@code wantedKey} when given (replacing an
     * older key), the stored key otherwise, or a newly generated one.
     */
    String ensureProject(String projectId, String wantedKey) throws SQLException {
        Optional<String> stored = keyOf(projectId);
        String key = !wantedKey.isBlank() ? wantedKey : stored.orElseGet(ProjectStore::generateKey);
        if (stored.isPresent() && stored.get().equals(key)) {
            return key;
        }
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM projects WHERE project_id = ?")) {
                delete.setString(1, projectId);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO projects (project_id, api_key) VALUES (?, ?)")) {
                insert.setString(1, projectId);
                insert.setString(2, key);
                insert.executeUpdate();
            }
        }
        stored.ifPresent(projectByKey::remove);
        projectByKey.put(key, projectId);
        return key;
    }

    private Optional<String> keyOf(String projectId) {
        return projectByKey.entrySet().stream().filter(e -> e.getValue().equals(projectId)).map(Map.Entry::getKey).findFirst();
    }

    @Override
    public Optional<String> projectForApiKey(String apiKey) {
        return Optional.ofNullable(projectByKey.get(apiKey));
    }

    private static String generateKey() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return "ak_" + HexFormat.of().formatHex(bytes);
    }
}
