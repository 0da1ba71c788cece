package io.analytics.ingest;

import io.analytics.core.event.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Rebuilds {@link AcceptedEventIds} after a restart by reading the raw topic from the start of the
 * retention period up to its end at the moment of the call. Kafka is the durable record of every
 * accepted event, so the index needs no storage of its own.
 */
public final class AcceptedEventIdsLoader {

    private AcceptedEventIdsLoader() {}

    /** Loads and returns the number of records read; reports progress through {@code progress}. */
    public static long load(String bootstrapServers, String topic, AcceptedEventIds index, Consumer<String> progress) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            seekToRetentionStart(consumer, partitions, index.retention());
            long total = remaining(consumer, end);
            long read = 0;
            long lastReport = System.nanoTime();
            while (remaining(consumer, end) > 0) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        remember(index, record);
                        read++;
                    }
                }
                if (System.nanoTime() - lastReport > 2_000_000_000L) {
                    progress.accept(String.format("dedupe index: %,d of %,d records read", read, total));
                    lastReport = System.nanoTime();
                }
            }
            return read;
        }
    }

    private static void seekToRetentionStart(
            KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Duration retention) {
        long since = System.currentTimeMillis() - retention.toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, since));
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp start = starts.get(tp);
            consumer.seek(tp, start == null ? end.get(tp) : start.offset());
        }
    }

    private static long remaining(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        long remaining = 0;
        for (TopicPartition tp : consumer.assignment()) {
            remaining += Math.max(0, end.get(tp) - consumer.position(tp));
        }
        return remaining;
    }

    private static void remember(AcceptedEventIds index, ConsumerRecord<byte[], byte[]> record) {
        Header project = record.headers().lastHeader(EventPublisher.PROJECT_HEADER);
        Header eventId = record.headers().lastHeader(EventPublisher.EVENT_ID_HEADER);
        if (project != null && eventId != null) {
            index.remember(utf8(project.value()), utf8(eventId.value()), record.timestamp());
            return;
        }
        try {
            var event = EventCodec.decode(record.value());
            index.remember(event.projectId(), event.eventId(), record.timestamp());
        } catch (RuntimeException malformed) {
            // A record that is not an event was never accepted through ingest and holds no id to remember.
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
