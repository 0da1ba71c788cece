package io.analytics.lake;

import com.typesafe.config.Config;
import io.analytics.lake.store.LocalDirectoryStore;
import io.analytics.lake.store.ObjectStore;
import io.analytics.lake.store.S3ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The {@code analytics.lake} section of the configuration, typed; reading it fails fast on a bad value. */
public record LakeSettings(
        boolean archiverEnabled,
        String store,
        Path localDir,
        S3ObjectStore.Settings s3,
        String archiverGroup,
        long maxFileBytes,
        Duration maxFileAge,
        long rowGroupBytes,
        Path stagingDir,
        String batchMemoryLimit,
        int batchThreads,
        String replayTopic) {

    public LakeSettings {
        if (!store.equals("local") && !store.equals("s3")) {
            throw new IllegalArgumentException("analytics.lake.store: must be 'local' or 's3', got '" + store + "'");
        }
        if (store.equals("s3") && s3.bucket().isBlank()) {
            throw new IllegalArgumentException("analytics.lake.s3.bucket: is required when the store is s3");
        }
    }

    public static LakeSettings from(Config analytics) {
        Config c = analytics.getConfig("lake");
        return new LakeSettings(
                c.getBoolean("archiver.enabled"),
                c.getString("store"),
                Path.of(c.getString("local-dir")).toAbsolutePath(),
                new S3ObjectStore.Settings(
                        c.getString("s3.endpoint"),
                        c.getString("s3.region"),
                        c.getString("s3.bucket"),
                        c.getBoolean("s3.path-style"),
                        c.getString("s3.access-key-id"),
                        c.getString("s3.secret-access-key")),
                c.getString("archiver.consumer-group"),
                c.getBytes("archiver.max-file-bytes"),
                c.getDuration("archiver.max-file-age"),
                c.getBytes("archiver.row-group-bytes"),
                Path.of(c.getString("staging-dir")).toAbsolutePath(),
                c.getString("batch.memory-limit"),
                c.getInt("batch.threads"),
                c.getString("replay.topic"));
    }

    /** Opens the configured store: the local directory, or the S3 bucket (created when missing). */
    public ObjectStore openStore() throws IOException {
        if (store.equals("s3")) {
            return new S3ObjectStore(s3).ensureBucket();
        }
        return new LocalDirectoryStore(localDir);
    }
}
