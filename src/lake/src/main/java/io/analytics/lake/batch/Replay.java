package io.analytics.lake.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.lake.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Re-feeds archived events into a topic of their own, so that a new consumer (a new projection, a new
 * metric) can be computed over history without touching the live raw topic. Records have the raw
 * topic's shape, key and headers, and come out per source partition in their original offset order;
 * a day is sent whole before the next. Delivery is at-least-once (acks=all, idempotent producer):
 * a consumer that must not count twice keeps the event ids it has seen, as ingest does.
 */
public final class Replay extends LakeJob {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BatchRecompute.Settings settings;
    private final String bootstrapServers;
    private final String topic;

    public Replay(ObjectStore store, BatchRecompute.Settings settings, String bootstrapServers, String topic, Clock clock) {
        super("replay", store, clock);
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    @Override
    protected long processDay(LocalDate day, List<String> keys) throws Exception {
        if (keys.isEmpty()) {
            return 0;
        }
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        try (DayFiles files = DayFiles.stage(store, keys, settings.stagingDir().resolve("replay-" + day));
                Connection duck = DayFiles.duckdb(settings);
                Statement s = duck.createStatement();
                ResultSet rows = s.executeQuery("SELECT project_id, event_id, event_type, epoch_ms(timestamp), user_id, session_id, "
                        + "properties, metadata FROM " + files.scan() + " ORDER BY kafka_partition, kafka_offset");
                KafkaProducer<byte[], byte[]> producer = producer()) {
            while (rows.next() && failure.get() == null) {
                producer.send(record(rows), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
                sent++;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IOException("cannot replay " + day + " into " + topic + ": " + failure.get().getMessage(), failure.get());
        }
        return sent;
    }

    private ProducerRecord<byte[], byte[]> record(ResultSet row) throws Exception {
        String project = row.getString(1);
        String eventId = row.getString(2);
        String user = row.getString(5);
        ObjectNode event = JSON.createObjectNode()
                .put("project_id", project)
                .put("event_id", eventId)
                .put("event_type", row.getString(3))
                .put("timestamp", row.getLong(4));
        if (user != null) {
            event.put("user_id", user);
        }
        if (row.getString(6) != null) {
            event.put("session_id", row.getString(6));
        }
        event.set("properties", JSON.readTree(row.getString(7)));
        event.set("metadata", JSON.readTree(row.getString(8)));
        String key = project + "/" + (user != null ? user : eventId);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                JSON.writeValueAsBytes(event));
        record.headers().add(new RecordHeader("project_id", project.getBytes(StandardCharsets.UTF_8)));
        record.headers().add(new RecordHeader("event_id", eventId.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
