package io.analytics.node;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates a topic when it is missing and tells how many partitions it has. */
final class Topics {

    private static final Duration METADATA_DEADLINE = Duration.ofSeconds(30);

    private Topics() {}

    static int ensure(String bootstrapServers, String topic, int partitions, short replicationFactor) throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic + " on " + bootstrapServers
                            + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
            return partitionCount(admin, topic);
        }
    }

    /** A topic just created may not be in the metadata the broker answers with yet: ask again until it is. */
    private static int partitionCount(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + METADATA_DEADLINE.toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
                }
                Thread.sleep(100);
            }
        }
    }
}
