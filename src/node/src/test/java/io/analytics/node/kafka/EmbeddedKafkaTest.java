package io.analytics.node.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final String TOPIC = "events";
    private static final String GROUP = "embedded-kafka-test";
    private static final int RECORDS = 1000;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void recordsAndCommittedOffsetsSurviveRestart(@TempDir Path dir) throws Exception {
        Set<String> produced = new HashSet<>();
        String clusterId;
        int firstControllerPort;

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
            clusterId = kafka.clusterId();
            firstControllerPort = kafka.controllerPort();

            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
                TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(TOPIC);
                assertThat(description.partitions()).hasSize(4);
            }

            try (KafkaProducer<String, String> producer = producer(kafka)) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++) {
                    String value = "value-" + i;
                    produced.add(value);
                    acks.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + i, value)));
                }
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(30, TimeUnit.SECONDS);
                }
            }

            try (KafkaConsumer<String, String> consumer = consumer(kafka, GROUP)) {
                consumer.subscribe(List.of(TOPIC));
                List<String> consumed = pollUntil(consumer, RECORDS);
                assertThat(consumed).hasSize(RECORDS);
                assertThat(new HashSet<>(consumed)).isEqualTo(produced);
                consumer.commitSync(Duration.ofSeconds(30));
            }

            try (Admin admin = admin(kafka)) {
                assertThat(sum(committedOffsets(admin))).isEqualTo(RECORDS);
            }
        }

        // Restart on the same directory with a different controller port.
        int newControllerPort = freePortOtherThan(firstControllerPort);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, newControllerPort, Map.of())) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            assertThat(kafka.controllerPort()).isNotEqualTo(firstControllerPort);

            Map<TopicPartition, Long> endOffsets;
            try (Admin admin = admin(kafka)) {
                TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(TOPIC);
                assertThat(description.partitions()).hasSize(4);

                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < 4; p++) {
                    latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
                }
                endOffsets = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
                assertThat(sum(endOffsets)).isEqualTo(RECORDS);

                Map<TopicPartition, Long> committed = committedOffsets(admin);
                assertThat(committed).isEqualTo(endOffsets);
            }

            // Every record is still there.
            try (KafkaConsumer<String, String> reader = consumer(kafka, "reader-after-restart")) {
                reader.subscribe(List.of(TOPIC));
                List<String> again = pollUntil(reader, RECORDS);
                assertThat(again).hasSize(RECORDS);
                assertThat(new HashSet<>(again)).isEqualTo(produced);
            }

            // The original group resumes from its committed offsets: it sees only what is produced now.
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>(TOPIC, "key-new", "after-restart")).get(30, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> consumer = consumer(kafka, GROUP)) {
                consumer.subscribe(List.of(TOPIC));
                assertThat(pollUntil(consumer, 1)).containsExactly("after-restart");
            }

            kafka.close();
            kafka.close(); // idempotent
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void extraPropertiesOverrideDefaults(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of("log.retention.hours", "24"));
             Admin admin = admin(kafka)) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            var config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
            assertThat(config.get("log.retention.hours").value()).isEqualTo("24");
            assertThat(config.get("num.partitions").value()).isEqualTo("8");
            assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
            assertThat(config.get("offsets.topic.replication.factor").value()).isEqualTo("1");
        }
    }

    // ------------------------------------------------------------------------------------------------

    private static List<String> pollUntil(KafkaConsumer<String, String> consumer, int expected) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (values.size() < expected && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        return values;
    }

    private static Map<TopicPartition, Long> committedOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        committed.forEach((tp, om) -> offsets.put(tp, om.offset()));
        return offsets;
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static int freePortOtherThan(int port) throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                if (s.getLocalPort() != port) {
                    return s.getLocalPort();
                }
            }
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        conf.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        conf.put(ProducerConfig.ACKS_CONFIG, "all");
        conf.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        conf.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(conf);
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedKafka kafka, String group) {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        conf.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        conf.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        conf.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        conf.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return new KafkaConsumer<>(conf);
    }
}
