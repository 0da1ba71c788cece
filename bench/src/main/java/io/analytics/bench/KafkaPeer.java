package io.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Prepares the peer of the end-to-end benchmark: Kafka's own producer benchmark
 * ({@code org.apache.kafka.tools.ProducerPerformance}) writing records like ours to the platform's
 * embedded broker. See bench/README.md.
 *
 * <p>{@code KafkaPeer --bootstrap HOST:PORT --like events.raw --topic bench.peer --payload FILE --out FILE
 * [--events 20000] [--project demo] [--seed 1]}
 * <ol>
 *   <li>creates {@code --topic} with the partition count, replication factor and topic-level config
 *       overrides of {@code --like} (the embedded broker does not auto-create topics); an existing topic
 *       with the same partition count is accepted;</li>
 *   <li>writes {@code --events} events of the load generator's {@link EventMix} to {@code --payload},
 *       one per line, in the shape ingest writes them to the raw topic (the validated event with
 *       {@code timestamp} as epoch milliseconds and {@code project_id} added), for
 *       {@code ProducerPerformance --payload-file};</li>
 *   <li>writes what it did (partitions, mean record size, ...) as JSON to {@code --out}.</li>
 * </ol>
 * Exit codes: 0 ok, 1 broker or file trouble, 2 bad flags.
 */
public final class KafkaPeer {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final long TIMEOUT_S = 30;

    /** Mean sizes of a generated payload, in bytes. */
    record PayloadStats(int events, double meanRecordBytes, double meanHttpEventBytes, double meanKeyAndHeaderBytes,
                        long fileBytes) {}

    private KafkaPeer() {}

    public static void main(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>(Map.of(
                "--events", "20000", "--project", "demo", "--seed", "1", "--like", "events.raw", "--topic", "bench.peer"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (!List.of("--bootstrap", "--like", "--topic", "--payload", "--out", "--events", "--project", "--seed")
                    .contains(name)) {
                usage("unknown flag " + a);
            }
            if (eq > 0) {
                flags.put(name, a.substring(eq + 1));
            } else if (i + 1 < args.length) {
                flags.put(name, args[++i]);
            } else {
                usage(name + " needs a value");
            }
        }
        for (String required : List.of("--bootstrap", "--payload", "--out")) {
            if (!flags.containsKey(required)) {
                usage(required + " is required");
            }
        }
        int events = 0;
        long seed = 0;
        try {
            events = Integer.parseInt(flags.get("--events"));
            seed = Long.parseLong(flags.get("--seed"));
        } catch (NumberFormatException e) {
            usage("--events and --seed must be integers");
        }
        if (events < 1 || events > 1_000_000) {
            usage("--events must be 1..1000000");
        }
        try {
            ObjectNode out = MAPPER.createObjectNode();
            out.put("topic", flags.get("--topic"));
            out.put("like_topic", flags.get("--like"));
            out.put("bootstrap", flags.get("--bootstrap"));
            ObjectNode topic = createTopicLike(flags.get("--bootstrap"), flags.get("--like"), flags.get("--topic"));
            out.setAll(topic);
            Path payload = Path.of(flags.get("--payload"));
            PayloadStats stats = writePayload(payload, events, flags.get("--project"), seed);
            out.put("payload_file", payload.toString());
            out.put("payload_events", stats.events());
            out.put("payload_seed", seed);
            out.put("mean_record_bytes", round1(stats.meanRecordBytes()));
            out.put("mean_http_event_bytes", round1(stats.meanHttpEventBytes()));
            out.put("ingest_key_and_headers_bytes", round1(stats.meanKeyAndHeaderBytes()));
            Path target = Path.of(flags.get("--out"));
            MAPPER.writeValue(target.toFile(), out);
            System.out.printf(java.util.Locale.ROOT,
                    "peer: topic %s created like %s (%d partitions, replication %d); payload %d events, "
                            + "mean record %.0f B (HTTP JSON %.0f B)%n",
                    flags.get("--topic"), flags.get("--like"), topic.get("partitions").asInt(),
                    topic.get("replication_factor").asInt(), stats.events(), stats.meanRecordBytes(),
                    stats.meanHttpEventBytes());
        } catch (Exception e) {
            System.err.println("kafka-peer: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println("kafka-peer: " + problem);
        System.err.println("usage: KafkaPeer --bootstrap HOST:PORT --payload FILE --out FILE [--like events.raw] "
                + "[--topic bench.peer] [--events 20000] [--project demo] [--seed 1]");
        System.exit(2);
    }

    /** Creates {@code topic} like {@code like}; returns partitions, replication factor and copied configs. */
    static ObjectNode createTopicLike(String bootstrap, String like, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT_S * 1000),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"))) {
            TopicDescription model = describe(admin, like);
            int partitions = model.partitions().size();
            short replication = (short) model.partitions().get(0).replicas().size();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, like);
            Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_S, TimeUnit.SECONDS).get(resource);
            Map<String, String> overrides = new LinkedHashMap<>();
            for (ConfigEntry entry : config.entries()) {
                if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && entry.value() != null) {
                    overrides.put(entry.name(), entry.value());
                }
            }
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, replication).configs(overrides)))
                        .all().get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic + " on " + bootstrap + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                int existing = describe(admin, topic).partitions().size();
                if (existing != partitions) {
                    throw new IllegalStateException("topic " + topic + " exists with " + existing
                            + " partitions, " + like + " has " + partitions);
                }
            }
            ObjectNode out = MAPPER.createObjectNode();
            out.put("partitions", partitions);
            out.put("replication_factor", replication);
            ObjectNode configs = out.putObject("topic_configs");
            overrides.forEach(configs::put);
            return out;
        }
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).get(topic);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * Writes {@code events} generated events to {@code file}, one per line, as ingest writes them to the raw
     * topic ({@code EventValidator} + {@code EventCodec}: {@code timestamp} replaced by epoch millis in place,
     * {@code project_id} appended; compact JSON).
     */
    static PayloadStats writePayload(Path file, int events, String projectId, long seed) throws IOException {
        EventMix mix = new EventMix(20_000, 200, 0, 0, seed, "peer" + Long.toHexString(seed));
        long recordBytes = 0;
        long httpBytes = 0;
        long keyHeaderBytes = 0;
        int written = 0;
        byte[] newline = {'\n'};
        long now = System.currentTimeMillis();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            while (written < events) {
                int n = Math.min(500, events - written);
                EventMix.Bytes batch = mix.nextBatch(n, now + written / 10);
                JsonNode array = COMPACT.readTree(batch.array(), 0, batch.length());
                for (JsonNode node : (ArrayNode) array) {
                    ObjectNode event = (ObjectNode) node;
                    httpBytes += COMPACT.writeValueAsBytes(event).length;
                    byte[] record = COMPACT.writeValueAsBytes(normalize(event, projectId));
                    recordBytes += record.length;
                    keyHeaderBytes += keyAndHeaderBytes(event, projectId);
                    out.write(record);
                    out.write(newline);
                    written++;
                }
            }
        }
        return new PayloadStats(written, (double) recordBytes / written, (double) httpBytes / written,
                (double) keyHeaderBytes / written, Files.size(file));
    }

    /** The record value ingest writes for this event. */
    static ObjectNode normalize(ObjectNode event, String projectId) {
        ObjectNode copy = event.deepCopy();
        JsonNode ts = copy.get("timestamp");
        if (ts != null && ts.isTextual()) {
            try {
                copy.put("timestamp", Instant.parse(ts.asText()).toEpochMilli());
            } catch (DateTimeParseException e) {
                throw new IllegalStateException("EventMix wrote an unparseable timestamp " + ts, e);
            }
        }
        copy.put("project_id", projectId);
        return copy;
    }

    /**
     * Bytes our ingest adds to each record besides the value, which ProducerPerformance cannot send: the key
     * {@code project/user} and the headers {@code project_id} and {@code event_id} (names and values).
     */
    static int keyAndHeaderBytes(ObjectNode event, String projectId) {
        String user = event.path("user_id").isTextual() ? event.get("user_id").asText() : event.path("event_id").asText();
        List<String> parts = new ArrayList<>(List.of(projectId + "/" + user, "project_id", projectId,
                "event_id", event.path("event_id").asText()));
        int n = 0;
        for (String p : parts) {
            n += p.getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
