package io.analytics.node;

import com.typesafe.config.Config;
import io.analytics.core.metric.Dimension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The {@code analytics} section of the configuration, typed. Reading it fails fast on a bad value. */
public record NodeSettings(
        Path dataDir,
        String httpHost,
        int httpPort,
        boolean embeddedKafka,
        String bootstrapServers,
        String topic,
        int partitions,
        short replicationFactor,
        String consumerGroup,
        Duration publishTimeout,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        int databasePoolSize,
        int maxBatchEvents,
        long maxBodyBytes,
        Duration dedupeRetention,
        double rateLimit,
        double rateBurst,
        List<String> dimensions,
        Duration allowedLateness,
        Duration maxFutureSkew,
        int batchMaxRecords,
        Duration batchMaxDelay,
        int snapshotEvery,
        Duration askTimeout,
        int orderSnapshotEvery,
        String ordersEventsTopic,
        String demoProjectId,
        String demoApiKey,
        Duration fineWindowRetention,
        Duration retentionCheckEvery) {

    public static NodeSettings from(Config root) {
        Config c = root.getConfig("analytics");
        return new NodeSettings(
                Path.of(c.getString("data-dir")).toAbsolutePath(),
                c.getString("http.host"),
                c.getInt("http.port"),
                c.getBoolean("kafka.embedded"),
                c.getString("kafka.bootstrap-servers"),
                c.getString("kafka.topic"),
                c.getInt("kafka.partitions"),
                (short) c.getInt("kafka.replication-factor"),
                c.getString("kafka.consumer-group"),
                c.getDuration("kafka.publish-timeout"),
                c.getString("database.url"),
                c.getString("database.user"),
                c.getString("database.password"),
                c.getInt("database.pool-size"),
                c.getInt("ingest.max-batch-events"),
                c.getBytes("ingest.max-body-bytes"),
                c.getDuration("ingest.dedupe-retention"),
                c.getDouble("ingest.rate-limit.events-per-second"),
                c.getDouble("ingest.rate-limit.burst"),
                c.getStringList("metrics.dimensions"),
                c.getDuration("metrics.allowed-lateness"),
                c.getDuration("metrics.max-future-skew"),
                c.getInt("metrics.batch.max-records"),
                c.getDuration("metrics.batch.max-delay"),
                c.getInt("metrics.snapshot-every"),
                c.getDuration("metrics.ask-timeout"),
                c.getInt("orders.snapshot-every"),
                c.getString("orders.events-topic"),
                c.getString("demo-project.id"),
                c.getString("demo-project.api-key"),
                c.getDuration("retention.fine-windows"),
                c.getDuration("retention.check-every"));
    }

    public List<Dimension> dimensionList() {
        return dimensions.stream().map(Dimension::new).toList();
    }
}
