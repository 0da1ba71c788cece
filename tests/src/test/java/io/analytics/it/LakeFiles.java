package io.analytics.it;

import io.analytics.lake.archive.LakeLayout;
import io.analytics.lake.store.ObjectStore;
import io.analytics.lake.store.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what the archiver wrote, the way another tool would: the objects are copied out of the S3
 * server and opened with DuckDB's own Parquet reader (not parquet-java, which wrote them).
 */
final class LakeFiles {

    private LakeFiles() {}

    static S3ObjectStore s3(TestS3 server, String bucket) throws Exception {
        return new S3ObjectStore(new S3ObjectStore.Settings(server.endpoint, "us-east-1", bucket, true,
                TestS3.ACCESS_KEY, TestS3.SECRET_KEY)).ensureBucket();
    }

    static Map<String, Object> nodeSettings(TestS3 server, String bucket) {
        return Map.of(
                "analytics.lake.store", "s3",
                "analytics.lake.s3.endpoint", server.endpoint,
                "analytics.lake.s3.bucket", bucket,
                "analytics.lake.s3.path-style", true,
                "analytics.lake.s3.access-key-id", TestS3.ACCESS_KEY,
                "analytics.lake.s3.secret-access-key", TestS3.SECRET_KEY,
                "analytics.lake.archiver.max-file-age", "500ms");
    }

    /** Copies every archive file to {@code dir}, keeping the keys' folders; returns the keys. */
    static List<String> download(ObjectStore store, Path dir) throws Exception {
        List<String> keys = store.list(LakeLayout.ROOT);
        for (String key : keys) {
            Path target = dir.resolve(key);
            Files.createDirectories(target.getParent());
            store.get(key, target);
        }
        return keys;
    }

    /** event id → how many times it is in the files under {@code dir}. */
    static Map<String, Long> eventIdCounts(Path dir) throws Exception {
        Map<String, Long> counts = new HashMap<>();
        query(dir, "SELECT event_id, count(*) FROM " + scan(dir) + " GROUP BY event_id", rows -> {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        });
        return counts;
    }

    static String scan(Path dir) {
        return "read_parquet('" + dir.resolve(LakeLayout.ROOT) + "/**/*.parquet', hive_partitioning = true)";
    }

    interface Rows {
        void read(ResultSet rows) throws Exception;
    }

    static void query(Path dir, String sql, Rows reader) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = duck.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            reader.read(rows);
        }
    }
}
