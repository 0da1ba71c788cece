package io.analytics.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.analytics.node.AnalyticsNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Starts an {@link AnalyticsNode} in this JVM against the test's Kafka broker and PostgreSQL schema. */
final class TestNode {

    static final String API_KEY = "it-key";

    private TestNode() {}

    static AnalyticsNode start(String bootstrapServers, TestPostgres postgres, Path dataDir, Map<String, Object> extra)
            throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("analytics.data-dir", dataDir.toString());
        settings.put("analytics.http.port", 0);
        settings.put("analytics.kafka.embedded", false);
        settings.put("analytics.kafka.bootstrap-servers", bootstrapServers);
        settings.put("analytics.kafka.partitions", 4);
        settings.put("analytics.database.url", postgres.url());
        settings.put("analytics.database.user", TestPostgres.USER);
        settings.put("analytics.demo-project.api-key", API_KEY);
        settings.put("analytics.metrics.batch.max-delay", "50ms");
        settings.put("analytics.metrics.snapshot-every", 20);
        // The scenarios are dated February 2026: older than the live layer's retention of 1m windows.
        settings.put("analytics.retention.fine-windows", "0");
        settings.put("pekko.remote.artery.canonical.port", 0);
        settings.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
        settings.putAll(extra);
        Config config = ConfigFactory.parseMap(settings)
                .withFallback(ConfigFactory.parseResources("application.conf"))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return AnalyticsNode.start(config, line -> System.out.println("[node] " + line));
    }
}
