package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event time through a node on a real Kafka broker with PostgreSQL: a stream with disorder inside the
 * allowed lateness, then an event an hour ahead in every partition, then events 40–55 minutes behind
 * it (beyond the 5-minute lateness) and events inside it. Late events must appear in
 * {@code late_events} exactly, under the minute of their partition's watermark, and only in the stored
 * windows still open; sliding windows, percentiles and top-K must equal the test's own computation;
 * the stream's watermark must not be held back by idle partitions.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventTimeIntegrationTest {

    private static final int PARTITIONS = 4;
    private static final long B = EventScenario.START.toEpochMilli();
    private static final long MINUTE = 60_000L;
    /** The latest event time every partition sees before the late events: their watermark is 5 minutes behind. */
    private static final long AHEAD = B + 60 * MINUTE;
    private static final long WATERMARK = AHEAD - 5 * MINUTE;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(8);

    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;
    static TestPostgres postgres;
    static AnalyticsNode node;
    static ApiClient api;
    static final GroundTruth truth = new GroundTruth();
    static int lateSent;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        postgres = new TestPostgres();
        node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"),
                Map.of("analytics.kafka.partitions", PARTITIONS, "analytics.metrics.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms"));
        api = new ApiClient(node.url(), TestNode.API_KEY);
        feed();
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) node.close();
        if (kafka != null) kafka.close();
        if (postgres != null) postgres.close();
    }

    private static void feed() throws Exception {
        try (KafkaProducer<byte[], byte[]> direct = TestSupport.producer(kafka.bootstrapServers())) {
            new Feeder(api, truth, direct, "events.raw", 3).feed(EventScenario.generate(17, 2500, "base"), 250);
        }
        Random random = new Random(5);
        List<ObjectNode> ahead = new ArrayList<>();
        Set<Integer> partitionsAhead = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            ObjectNode event = EventScenario.event(random, "ahead-" + i, AHEAD);
            event.put("user_id", "ahead_user_" + i);
            ahead.add(event);
            partitionsAhead.add(partitionOf(event));
        }
        assertThat(partitionsAhead).as("every partition sees the event an hour ahead").hasSize(PARTITIONS);
        post(ahead, event -> truth.accept(event));

        List<ObjectNode> late = new ArrayList<>();
        List<ObjectNode> inTime = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            late.add(EventScenario.event(random, "late-" + i, B + 5 * MINUTE + random.nextInt(15 * 60_000)));
            inTime.add(EventScenario.event(random, "in-time-" + i, WATERMARK + MINUTE + random.nextInt(4 * 60_000)));
        }
        lateSent = late.size();
        List<ObjectNode> mixed = new ArrayList<>();
        for (int i = 0; i < late.size(); i++) {
            mixed.add(late.get(i));
            mixed.add(inTime.get(i));
        }
        Set<String> lateIds = new HashSet<>(late.stream().map(e -> e.get("event_id").asText()).toList());
        post(mixed, event -> {
            if (lateIds.contains(event.get("event_id").asText())) {
                truth.acceptLate(event, WATERMARK);
            } else {
                truth.accept(event);
            }
        });
        MetricsAssertions.awaitAllCounted(api, truth);
        awaitValue(Map.of("metric", "late_events", "window", "1d"), lateSent);
    }

    @Test
    @Order(1)
    void lateEventsAreCountedExactlyByMinuteOfArrivalAndOnlyInWindowsStillOpen() throws Exception {
        for (String group : new String[] {null, "event_type", "country", "product_id"}) {
            for (String window : GroundTruth.WINDOWS.keySet()) {
                MetricsAssertions.checkSliding(api, truth, "late_events", window, null, group);
            }
        }
        ApiClient.Response byMinute = api.metrics(Map.of("metric", "late_events", "window", "1m",
                "start_time", MetricsAssertions.FROM, "end_time", MetricsAssertions.TO));
        JsonNode points = byMinute.body().at("/series/0/points");
        assertThat(points).hasSize(1);
        assertThat(points.get(0).get("window_start").asText()).isEqualTo(Instant.ofEpochMilli(WATERMARK).toString());
        assertThat(points.get(0).get("value").asLong()).isEqualTo(lateSent);
        // every other metric, window and grouping: late events are in the 1h and 1d windows, not in 1m and 5m
        MetricsAssertions.assertEveryMetric(api, truth);
    }

    @Test
    @Order(2)
    void slidingWindowsEqualTheGroundTruth() throws Exception {
        String[][] specs = {{"5m", "1m"}, {"10m", "5m"}, {"15m", null}, {"2h", "1h"}, {"30m", "10m"}};
        for (String[] spec : specs) {
            for (String metric : new String[] {"events", "revenue", "unique_users", "late_events"}) {
                for (String group : new String[] {null, "country"}) {
                    MetricsAssertions.checkSliding(api, truth, metric, spec[0], spec[1], group);
                }
            }
        }
        ApiClient.Response sliding = api.metrics(Map.of("metric", "events", "window", "5m", "slide", "1m",
                "start_time", MetricsAssertions.FROM, "end_time", MetricsAssertions.TO));
        assertThat(sliding.body().get("window").asText()).isEqualTo("5m");
        assertThat(sliding.body().get("slide").asText()).isEqualTo("1m");
    }

    @Test
    @Order(3)
    void percentilesAreWithinTheStatedRankError() throws Exception {
        for (String window : new String[] {"5m", "1h"}) {
            for (String group : new String[] {null, "country"}) {
                Map<String, String> params = new HashMap<>(Map.of("metric", "amount_percentiles", "window", window,
                        "start_time", MetricsAssertions.FROM, "end_time", MetricsAssertions.TO));
                if (group != null) params.put("group_by", group);
                ApiClient.Response response = api.metrics(params);
                assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
                assertThat(response.body().get("approximate").asBoolean()).isTrue();
                double rankError = response.body().get("rank_error").asDouble();
                assertThat(rankError).isBetween(0.001, 0.02);
                long size = MetricsAssertions.millis(window);
                var expected = truth.windows("amount_percentiles", size, size, group, null);
                int checked = 0;
                for (JsonNode series : response.body().get("series")) {
                    String key = series.get("key").isNull() ? "<null>" : series.get("key").asText();
                    TreeMap<Long, List<ObjectNode>> windows = expected.get(key);
                    assertThat(windows).as("group " + key).isNotNull();
                    for (JsonNode point : series.get("points")) {
                        long start = Instant.parse(point.get("window_start").asText()).toEpochMilli();
                        double[] amounts = windows.get(start).stream()
                                .mapToDouble(e -> e.get("properties").get("amount").asDouble()).sorted().toArray();
                        assertThat(point.get("count").asLong()).isEqualTo(amounts.length);
                        for (String p : new String[] {"p50", "p95", "p99"}) {
                            double q = Integer.parseInt(p.substring(1)) / 100.0;
                            assertRank(amounts, point.get(p).asDouble(), q, rankError, key + " " + point);
                        }
                        checked++;
                    }
                    assertThat(series.get("points")).hasSameSizeAs(windows.keySet());
                }
                assertThat(checked).isPositive();
                assertThat(response.body().get("series")).hasSameSizeAs(expected.keySet());
            }
        }
    }

    /** The value's rank among the true amounts lies within the error of the rank asked for. */
    private static void assertRank(double[] sorted, double value, double q, double rankError, String what) {
        long below = Arrays.stream(sorted).filter(a -> a < value).count();
        long atOrBelow = Arrays.stream(sorted).filter(a -> a <= value).count();
        double n = sorted.length;
        assertThat(atOrBelow).as("value %s is one of the amounts of %s", value, what).isGreaterThan(below);
        assertThat(below / n).as("rank of p%s in %s", q, what).isLessThanOrEqualTo(q + rankError);
        assertThat(atOrBelow / n).as("rank of p%s in %s", q, what).isGreaterThanOrEqualTo(q - rankError);
    }

    @Test
    @Order(4)
    void topKEqualsTheGroundTruth() throws Exception {
        // hour-aligned: ranked from 1h windows, which took the late events
        assertTop("purchases", "purchase_completed", "product_id", B, B + 2 * 60 * MINUTE, 60 * MINUTE, 5);
        assertTop("views", "product_view", "product_id", B, B + 2 * 60 * MINUTE, 60 * MINUTE, 10);
        // 5-minute aligned: ranked from 5m windows, which closed before the late events came
        assertTop("views", "product_view", "country", B + 5 * MINUTE, B + 25 * MINUTE, 5 * MINUTE, 3);
        assertTop("purchases", "purchase_completed", "product_id", B + MINUTE, B + 59 * MINUTE, MINUTE, 30);

        ApiClient.Response last = api.get("/api/v1/top", Map.of("metric", "views", "dimension", "product_id", "last", "1h"));
        assertThat(last.status()).isEqualTo(200);
        assertThat(last.body().get("items")).as("nothing happened in the last hour of the wall clock").isEmpty();
    }

    private static void assertTop(String metric, String type, String dimension, long from, long to, long size, int k)
            throws Exception {
        ApiClient.Response response = api.get("/api/v1/top", Map.of("metric", metric, "dimension", dimension,
                "k", Integer.toString(k), "start_time", Long.toString(from), "end_time", Long.toString(to)));
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        List<String> actual = new ArrayList<>();
        for (JsonNode item : response.body().get("items")) {
            actual.add(item.get("key").asText() + "=" + item.get("value").asLong());
        }
        List<String> expected = truth.top(type, dimension, from, to, size, k).stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList();
        assertThat(expected).as("ground truth of " + metric + " by " + dimension).isNotEmpty();
        assertThat(actual).as("top %d %s by %s", k, metric, dimension).isEqualTo(expected);
    }

    @Test
    @Order(5)
    void windowsUpToTheWatermarkAreFinal() throws Exception {
        ApiClient.Response response = api.metrics(Map.of("metric", "events", "window", "1m",
                "start_time", MetricsAssertions.FROM, "end_time", MetricsAssertions.TO));
        assertThat(response.body().get("watermark").asText()).isEqualTo(Instant.ofEpochMilli(WATERMARK).toString());
        int finals = 0;
        for (JsonNode point : response.body().at("/series/0/points")) {
            long end = Instant.parse(point.get("window_start").asText()).toEpochMilli() + MINUTE;
            assertThat(point.get("final").asBoolean()).as(point.toString()).isEqualTo(end <= WATERMARK);
            finals += point.get("final").asBoolean() ? 1 : 0;
        }
        assertThat(finals).isPositive();
        JsonNode status = api.get("/api/v1/watermarks", Map.of()).body();
        assertThat(status.get("partitions")).hasSize(PARTITIONS);
        long late = 0;
        for (JsonNode partition : status.get("partitions")) {
            assertThat(partition.get("max_event_time").asText()).isEqualTo(Instant.ofEpochMilli(AHEAD).toString());
            late += partition.get("late_events").asLong();
        }
        assertThat(late).isEqualTo(lateSent);
    }

    /**
     * Two partitions move on while the others stay quiet: the stream's watermark follows the slower of
     * the two active ones, not the quiet ones; once all are quiet it is the furthest any reached.
     */
    @Test
    @Order(6)
    void idlePartitionsDoNotHoldTheWatermarkBack() throws Exception {
        awaitStatus(status -> StreamSupport.stream(status.get("partitions").spliterator(), false)
                .allMatch(p -> p.get("idle").asBoolean()), "every partition idle");
        Random random = new Random(9);
        ObjectNode slower = null;
        ObjectNode faster = null;
        for (int i = 0; slower == null || faster == null; i++) {
            ObjectNode event = EventScenario.event(random, "move-" + i, AHEAD + 6 * MINUTE);
            event.put("user_id", "mover_" + i);
            if (slower == null) {
                slower = event;
            } else if (partitionOf(event) != partitionOf(slower)) {
                faster = event.put("timestamp", Instant.ofEpochMilli(AHEAD + 20 * MINUTE).toString());
            }
        }
        post(List.of(slower, faster), truth::accept);
        String slowerWatermark = Instant.ofEpochMilli(AHEAD + MINUTE).toString();
        awaitStatus(status -> status.get("watermark").asText().equals(slowerWatermark),
                "the watermark of the slower active partition, " + slowerWatermark);
        String furthest = Instant.ofEpochMilli(AHEAD + 15 * MINUTE).toString();
        awaitStatus(status -> status.get("watermark").asText().equals(furthest), "once all idle, the furthest, " + furthest);
    }

    @Test
    @Order(7)
    void badWindowsAndRankingsGetClearErrors() throws Exception {
        assertError("/api/v1/metrics", Map.of("metric", "events", "window", "5m", "slide", "2m"), "slide: must divide the window");
        assertError("/api/v1/metrics", Map.of("metric", "events", "window", "1m", "slide", "5m"), "slide: must not be longer");
        assertError("/api/v1/metrics", Map.of("metric", "events", "window", "90s"), "window: must be a whole number");
        assertError("/api/v1/metrics", Map.of("metric", "events", "window", "5m", "slide", "0m"), "slide: must be a whole number");
        assertError("/api/v1/metrics", Map.of("metric", "orders", "event_type", "x"), "event_type: applies only");
        assertError("/api/v1/top", Map.of("metric", "likes", "dimension", "product_id"), "metric: must be one of purchases, revenue, views");
        assertError("/api/v1/top", Map.of("metric", "views", "dimension", "shoe_size"), "dimension: 'shoe_size'");
        assertError("/api/v1/top", Map.of("metric", "views"), "dimension: is required");
        assertError("/api/v1/top", Map.of("metric", "views", "dimension", "product_id", "k", "0"), "k: must be a whole number from 1");
        assertError("/api/v1/top", Map.of("metric", "views", "dimension", "product_id", "last", "1h", "start_time", "0"),
                "last: give either");
        assertError("/api/v1/top", Map.of("metric", "views", "dimension", "product_id", "last", "soon"), "last: must be");
    }

    private static void assertError(String path, Map<String, String> params, String message) throws Exception {
        ApiClient.Response response = api.get(path, params);
        assertThat(response.status()).as(params.toString()).isEqualTo(400);
        assertThat(response.body().get("error").asText()).as(params.toString()).contains(message);
    }

    private static void awaitStatus(Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = api.get("/api/v1/watermarks", Map.of()).body();
            if (condition.test(status)) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(condition.test(status)).as("within 60 s: " + what + "; last status " + status).isTrue();
    }

    private static void awaitValue(Map<String, String> query, long expected) throws Exception {
        Map<String, String> params = new HashMap<>(query);
        params.put("start_time", MetricsAssertions.FROM);
        params.put("end_time", MetricsAssertions.TO);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long total = -1;
        while (System.nanoTime() < deadline && total != expected) {
            total = 0;
            for (JsonNode series : api.metrics(params).body().path("series")) {
                for (JsonNode point : series.get("points")) {
                    total += point.get("value").asLong();
                }
            }
            if (total != expected) {
                Thread.sleep(100);
            }
        }
        assertThat(total).as(query.toString()).isEqualTo(expected);
    }

    /** Posts events in one request (no resends: the order within each partition is the order here). */
    private static void post(List<ObjectNode> events, Consumer<ObjectNode> accepted) throws Exception {
        ArrayNode body = ApiClient.JSON.createArrayNode();
        events.forEach(body::add);
        ApiClient.Response response = api.post(ApiClient.JSON.writeValueAsString(body));
        assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
        assertThat(response.body().get("accepted").asInt()).isEqualTo(events.size());
        events.forEach(accepted);
    }

    /** Kafka's default partitioner for the key ingest gives a record: murmur2 of project/user. */
    private static int partitionOf(ObjectNode event) {
        byte[] key = ("demo/" + event.get("user_id").asText()).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
    }
}
