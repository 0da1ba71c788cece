package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import io.analytics.stream.metrics.MetricPartition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Operating a node on a real Kafka broker and PostgreSQL: readiness follows the consumer (a backlog written
 * before the node starts, a broker outage), {@code /metrics} reports what the node did, and a request's trace
 * id reaches the Kafka record and the log of the entity that counted it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIntegrationTest {

    private static final int PARTITIONS = 4;
    private static final int BACKLOG = 20_000;
    private static final long MAX_LAG = 50;
    private static final Instant NOW = Instant.now();

    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;
    static TestPostgres postgres;
    static AnalyticsNode node;
    static List<HttpResponse<String>> readyAnswersAtStart;

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        postgres = new TestPostgres();
        writeBacklog();
        node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), Map.of(
                "analytics.kafka.partitions", PARTITIONS,
                "analytics.ops.ready.max-consumer-lag", MAX_LAG,
                "analytics.ops.consumer-lag-interval", "250ms",
                "analytics.metrics.batch.max-records", 200));
        readyAnswersAtStart = new ArrayList<>();
        await("ready after start", Duration.ofSeconds(90), () -> {
            HttpResponse<String> answer = get("/health/ready");
            readyAnswersAtStart.add(answer);
            return answer.statusCode() == 200;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        TestSupport.closeAll(node, kafka, postgres);
    }

    @Test
    @Order(1)
    void readyOnlyOnceJoinedConsumingAndCaughtUp() throws Exception {
        for (HttpResponse<String> answer : readyAnswersAtStart) {
            JsonNode body = ApiClient.JSON.readTree(answer.body());
            boolean allOk = true;
            for (JsonNode check : body.get("checks")) {
                allOk &= check.get("ok").asBoolean();
            }
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(allOk ? 200 : 503);
        }
        JsonNode ready = ApiClient.JSON.readTree(readyAnswersAtStart.get(readyAnswersAtStart.size() - 1).body());
        assertThat(ready.get("status").asText()).isEqualTo("ready");
        assertThat(check(ready, "cluster").get("detail").asText()).startsWith("this node is Up");
        assertThat(check(ready, "consumer").get("detail").asText()).isEqualTo("consuming partitions [0, 1, 2, 3]");
        Matcher behind = Pattern.compile("(\\d+) records behind").matcher(check(ready, "lag").get("detail").asText());
        assertThat(behind.find()).isTrue();
        assertThat(Long.parseLong(behind.group(1))).isLessThanOrEqualTo(MAX_LAG);

        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void metricsShowWhatTheNodeDid() throws Exception {
        ArrayNode batch = ApiClient.JSON.createArrayNode();
        Map<String, Integer> sent = Map.of("page_view", 40, "add_to_cart", 25, "purchase_completed", 10);
        int n = 0;
        for (Map.Entry<String, Integer> type : sent.entrySet()) {
            for (int i = 0; i < type.getValue(); i++) {
                batch.add(event("ops-" + n++, type.getKey(), NOW.minusSeconds(60)));
            }
        }
        for (int i = 0; i < 3; i++) {
            batch.addObject().put("event_type", "broken_event").put("timestamp", NOW.toString());
        }
        ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
        assertThat(api.post(batch.toString()).status()).isEqualTo(202);
        ArrayNode resent = ApiClient.JSON.createArrayNode();
        for (int i = 0; i < 5; i++) {
            resent.add(batch.get(i));
        }
        assertThat(api.post(resent.toString()).body().get("duplicates").asInt()).isEqualTo(5);
        assertThat(post("/api/v1/orders", "{\"user_id\": \"u1\", \"currency\": \"USD\", "
                + "\"items\": [{\"product_id\": \"p1\", \"quantity\": 1, \"price\": 5}]}", Map.of()).statusCode()).isEqualTo(201);

        await("every event processed, lag measured as zero, the order projected", Duration.ofSeconds(60), () -> {
            Scrape s = scrape();
            return s.value("analytics_events_processed_total", "type", "page_view") == 40
                    && s.value("analytics_events_processed_total", "type", "backlog_view") == BACKLOG
                    && s.sum("analytics_consumer_lag_records") == 0
                    && s.value("analytics_projection_events_handled_total", "projection", "orders") >= 1;
        });
        Scrape s = scrape();
        sent.forEach((type, count) -> {
            assertThat(s.value("analytics_events_ingested_total", "type", type)).as(type).isEqualTo(count.doubleValue());
            assertThat(s.value("analytics_events_processed_total", "type", type)).as(type).isEqualTo(count.doubleValue());
        });
        assertThat(s.value("analytics_events_rejected_total", "type", "broken_event")).isEqualTo(3.0);
        assertThat(s.sum("analytics_events_duplicate_total")).isEqualTo(5.0);
        assertThat(s.sum("analytics_events_malformed_total")).isZero();

        assertThat(s.sum("analytics_processing_latency_seconds_count")).isPositive();
        assertThat(s.sum("analytics_processing_latency_seconds_sum")).isPositive();
        assertThat(s.names()).contains("analytics_processing_latency_seconds_bucket", "analytics_batch_apply_seconds_bucket");
        assertThat(s.value("analytics_journal_write_seconds_count", "entity", "MetricPartition")).isPositive();
        assertThat(s.value("analytics_journal_write_seconds_sum", "entity", "MetricPartition")).isPositive();
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(s.value("analytics_consumer_lag_records", "partition", Integer.toString(p))).isZero();
            // Every partition's newest event is at most 10 minutes old (backlog and batch both are).
            assertThat(s.value("analytics_watermark_delay_seconds", "partition", Integer.toString(p))).isBetween(0.0, 15 * 60.0);
        }
        assertThat(s.value("analytics_projection_lag_seconds", "projection", "orders")).isBetween(0.0, 60.0);
        assertThat(s.sum("jvm_memory_used_bytes")).isPositive();
        assertThat(s.sum("jvm_threads_live_threads")).isPositive();
        assertThat(s.sum("jvm_classes_loaded_classes")).isPositive();
        assertThat(s.sum("process_uptime_seconds")).isPositive();
        assertThat(s.names()).contains("jvm_gc_memory_allocated_bytes_total", "process_cpu_usage", "system_cpu_count");

        assertThat(dashboardMetricNames()).isNotEmpty().allSatisfy(name -> assertThat(s.names())
                .as("dashboard metric " + name + " is exposed").contains(name));
    }

    @Test
    @Order(3)
    void traceIdTravelsFromIngestThroughKafkaIntoTheEntityLog() throws Exception {
        Logger entityLog = (Logger) LoggerFactory.getLogger(MetricPartition.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Level before = entityLog.getLevel();
        entityLog.setLevel(Level.DEBUG);
        entityLog.addAppender(captured);
        try {
            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            HttpResponse<String> answer = post("/api/v1/events", event("traced-1", "page_view", NOW).toString(),
                    Map.of("X-API-Key", TestNode.API_KEY, "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
            assertThat(answer.statusCode()).isEqualTo(202);
            assertThat(answer.headers().firstValue("X-Trace-Id")).hasValue(traceId);
            HttpResponse<String> untraced = post("/api/v1/events", event("traced-2", "page_view", NOW).toString(),
                    Map.of("X-API-Key", TestNode.API_KEY));
            assertThat(untraced.headers().firstValue("X-Trace-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}").isNotEqualTo(traceId));

            assertThat(traceHeaderOf("traced-1")).isEqualTo(traceId);
            await("the entity logs the batch under the trace id", Duration.ofSeconds(30), () -> List.copyOf(captured.list).stream()
                    .anyMatch(e -> e.getMDCPropertyMap().getOrDefault("trace_id", "").contains(traceId)));
        } finally {
            entityLog.detachAppender(captured);
            entityLog.setLevel(before);
        }
    }

    @Test
    @Order(4)
    void notReadyWhileTheBrokerIsDownButStillLive() throws Exception {
        int port = kafka.port();
        kafka.close();
        List<String> notReady = new ArrayList<>();
        await("not ready without the broker", Duration.ofSeconds(30), () -> {
            HttpResponse<String> answer = get("/health/ready");
            notReady.add(answer.body());
            return answer.statusCode() == 503;
        });
        JsonNode body = ApiClient.JSON.readTree(notReady.get(notReady.size() - 1));
        assertThat(check(body, "consumer").get("ok").asBoolean()).isFalse();
        assertThat(check(body, "cluster").get("ok").asBoolean()).isTrue();
        assertThat(get("/health/live").statusCode()).isEqualTo(200);

        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), port);
        await("ready again once the broker is back", Duration.ofSeconds(60), () -> get("/health/ready").statusCode() == 200);
    }

    /** Events written straight to the raw topic before the node starts: the node must catch up before it is ready. */
    private static void writeBacklog() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("events.raw", PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < BACKLOG; i++) {
                ObjectNode event = event("backlog-" + i, "backlog_view", NOW.minusSeconds(600).plusMillis(i * 25L))
                        .put("project_id", "demo");
                producer.send(new ProducerRecord<>("events.raw", ("demo/user_" + i % 500).getBytes(StandardCharsets.UTF_8),
                        ApiClient.JSON.writeValueAsBytes(event)));
            }
            producer.flush();
        }
    }

    private static ObjectNode event(String id, String type, Instant at) {
        ObjectNode event = ApiClient.JSON.createObjectNode().put("event_id", id).put("event_type", type).put("timestamp", at.toString());
        return event.put("user_id", "user_" + Math.abs(id.hashCode() % 500));
    }

    private static String traceHeaderOf(String eventId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ops-test-" + System.nanoTime());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("events.raw"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header id = record.headers().lastHeader("event_id");
                    if (id != null && new String(id.value(), StandardCharsets.UTF_8).equals(eventId)) {
                        Header trace = record.headers().lastHeader("trace_id");
                        return trace == null ? null : new String(trace.value(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        throw new AssertionError("no record with event id " + eventId + " in events.raw");
    }

    /** Metric names used by the provisioned Grafana dashboard, less the hub's (served once the live hub lands). */
    private static Set<String> dashboardMetricNames() throws Exception {
        Path dashboard = TestSupport.launcher().getParent().resolve("deploy/grafana/dashboards/analytics.json");
        Matcher names = Pattern.compile("\\b((?:analytics|jvm|process|system)_[a-z0-9_]+)").matcher(Files.readString(dashboard));
        Set<String> found = new TreeSet<>();
        while (names.find()) {
            if (!names.group(1).startsWith("analytics_hub_")) {
                found.add(names.group(1));
            }
        }
        return found;
    }

    private static JsonNode check(JsonNode ready, String name) {
        for (JsonNode check : ready.get("checks")) {
            if (check.get("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + ready);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-API-Key", TestNode.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach((name, value) -> request.setHeader(name, value));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Scrape scrape() throws Exception {
        HttpResponse<String> answer = get("/metrics");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        return Scrape.parse(answer.body());
    }

    /** Polls {@code condition} until it holds or the deadline passes. */
    private static void await(String what, Duration timeout, TestSupport.Call<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what + " within " + timeout).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The samples of one Prometheus text exposition. */
    record Scrape(List<Sample> samples) {
        record Sample(String name, Map<String, String> labels, double value) {}

        private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static Scrape parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (line.startsWith("#") || !m.matches()) {
                    continue;
                }
                Map<String, String> labels = new java.util.HashMap<>();
                Matcher label = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
            return new Scrape(samples);
        }

        Set<String> names() {
            Set<String> names = new TreeSet<>();
            samples.forEach(s -> names.add(s.name()));
            return names;
        }

        double sum(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
        }

        /** The value of the sample with this name and label; -1 when there is none. */
        double value(String name, String label, String labelValue) {
            return samples.stream().filter(s -> s.name().equals(name) && labelValue.equals(s.labels().get(label)))
                    .mapToDouble(Sample::value).findFirst().orElse(-1);
        }
    }
}
