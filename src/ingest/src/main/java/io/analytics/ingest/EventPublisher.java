package io.analytics.ingest;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.event.EventCodec;
import io.analytics.core.event.EventValidator;
import io.analytics.ops.TraceIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes accepted events to the raw topic with an idempotent producer and acks=all. Records are keyed
 * by project and user, so one user's events stay in order in one partition (and unique-user counts
 * add up across partitions); events without a user are keyed by their id.
 */
public final class EventPublisher implements AutoCloseable {

    public static final String PROJECT_HEADER = "project_id";
    public static final String EVENT_ID_HEADER = "event_id";

    /** Where and how to publish. {@code timeout} bounds how long a publish may wait for the broker. */
    public record Settings(String bootstrapServers, String topic, Duration timeout, Map<String, String> overrides) {}

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    /** send() may block while the broker is unreachable; that wait must not happen on an HTTP thread. */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "raw-topic-publisher");
        thread.setDaemon(true);
        return thread;
    });

    public EventPublisher(Settings settings) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * 1024 * 1024));
        long timeout = settings.timeout().toMillis();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1000, timeout / 2)));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeout));
        props.putAll(settings.overrides());
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = settings.topic();
    }

    /**
     * Publishes the events; completes when the broker has acknowledged or refused each of them. The
     * result tells, per event, whether Kafka has it. Every record carries {@code traceId} in a header.
     */
    public CompletionStage<boolean[]> publish(List<EventValidator.Valid> events, String traceId) {
        CompletableFuture<boolean[]> result = new CompletableFuture<>();
        if (events.isEmpty()) {
            result.complete(new boolean[0]);
            return result;
        }
        boolean[] stored = new boolean[events.size()];
        AtomicInteger pending = new AtomicInteger(events.size());
        byte[] trace = traceId.getBytes(StandardCharsets.UTF_8);
        sender.execute(() -> {
            for (int i = 0; i < events.size(); i++) {
                int index = i;
                try {
                    producer.send(record(events.get(i), trace), (metadata, error) -> {
                        stored[index] = error == null;
                        if (pending.decrementAndGet() == 0) {
                            result.complete(stored);
                        }
                    });
                } catch (RuntimeException e) {
                    if (pending.decrementAndGet() == 0) {
                        result.complete(stored);
                    }
                }
            }
        });
        return result;
    }

    private ProducerRecord<byte[], byte[]> record(EventValidator.Valid valid, byte[] traceId) {
        AnalyticsEvent event = valid.event();
        String key = event.projectId() + "/" + (event.userId() != null ? event.userId() : event.eventId());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                topic, key.getBytes(StandardCharsets.UTF_8), EventCodec.encode(valid.normalized()));
        record.headers().add(new RecordHeader(PROJECT_HEADER, event.projectId().getBytes(StandardCharsets.UTF_8)));
        record.headers().add(new RecordHeader(EVENT_ID_HEADER, event.eventId().getBytes(StandardCharsets.UTF_8)));
        record.headers().add(new RecordHeader(TraceIds.KAFKA_HEADER, traceId));
        return record;
    }

    @Override
    public void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
