package io.analytics.node;

import com.typesafe.config.Config;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.Metric;
import io.analytics.query.TopRoutes;
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
        long dedupeMaxIds,
        Path dedupeDir,
        double rateLimit,
        double rateBurst,
        List<String> dimensions,
        Duration allowedLateness,
        Duration idleTimeout,
        Duration maxFutureSkew,
        int batchMaxRecords,
        int batchMaxCells,
        Duration batchMaxDelay,
        int snapshotEvery,
        Duration askTimeout,
        int orderSnapshotEvery,
        String ordersEventsTopic,
        String demoProjectId,
        String demoApiKey,
        List<TopRoutes.Ranking> topRankings,
        Journeys journeys,
        Duration fineWindowRetention,
        Duration retentionCheckEvery) {

    /** The user-journey recorder (sessions, funnels): see {@code analytics.journeys} in application.conf. */
    public record Journeys(boolean enabled, String consumerGroup, Duration sessionGap, int maxBatchRecords,
            Duration maxBatchDelay, int maxQueryEvents) {

        static Journeys from(Config c) {
            return new Journeys(c.getBoolean("enabled"), c.getString("consumer-group"), c.getDuration("session-gap"),
                    c.getInt("batch.max-records"), c.getDuration("batch.max-delay"), c.getInt("max-query-events"));
        }
    }

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
                c.getLong("ingest.dedupe-max-ids"),
                Path.of(c.getString("ingest.dedupe-dir")).toAbsolutePath(),
                c.getDouble("ingest.rate-limit.events-per-second"),
                c.getDouble("ingest.rate-limit.burst"),
                c.getStringList("metrics.dimensions"),
                c.getDuration("metrics.allowed-lateness"),
                c.getDuration("metrics.idle-timeout"),
                c.getDuration("metrics.max-future-skew"),
                c.getInt("metrics.batch.max-records"),
                c.getInt("metrics.batch.max-cells"),
                c.getDuration("metrics.batch.max-delay"),
                c.getInt("metrics.snapshot-every"),
                c.getDuration("metrics.ask-timeout"),
                c.getInt("orders.snapshot-every"),
                c.getString("orders.events-topic"),
                c.getString("demo-project.id"),
                c.getString("demo-project.api-key"),
                rankings(c.getConfig("top.rankings")),
                Journeys.from(c.getConfig("journeys")),
                c.getDuration("retention.fine-windows"),
                c.getDuration("retention.check-every"));
    }

    /** {@code purchases { metric = events, event-type = purchase_completed }}: a name for what to rank by. */
    private static List<TopRoutes.Ranking> rankings(Config rankings) {
        return rankings.root().keySet().stream().sorted().map(name -> {
            Config r = rankings.getConfig(name);
            return new TopRoutes.Ranking(name, Metric.fromCode(r.getString("metric")),
                    r.hasPath("event-type") ? r.getString("event-type") : null);
        }).toList();
    }

    public List<Dimension> dimensionList() {
        return dimensions.stream().map(Dimension::new).toList();
    }
}
