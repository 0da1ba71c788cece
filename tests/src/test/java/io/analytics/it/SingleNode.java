package io.analytics.it;

import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.Map;

/** A Kafka broker, a fresh PostgreSQL schema and one node on them; closed in reverse order. */
final class SingleNode implements AutoCloseable {

    final EmbeddedKafka kafka;
    final TestPostgres postgres;
    final AnalyticsNode node;

    private SingleNode(EmbeddedKafka kafka, TestPostgres postgres, AnalyticsNode node) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.node = node;
    }

    static SingleNode start(Path dir, Map<String, Object> extra) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        TestPostgres postgres = null;
        try {
            postgres = new TestPostgres();
            return new SingleNode(kafka, postgres, TestNode.start(kafka.bootstrapServers(), postgres, dir.resolve("node"), extra));
        } catch (Exception | Error e) {
            if (postgres != null) postgres.close();
            kafka.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            node.close();
        } finally {
            try {
                kafka.close();
            } finally {
                postgres.close();
            }
        }
    }
}
