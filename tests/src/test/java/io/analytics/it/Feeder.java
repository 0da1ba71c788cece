package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a scenario the way real clients do: batches over HTTP with resent events and malformed ones
 * mixed in, some events written straight to the raw topic, and every failed request retried until
 * acknowledged. Tells the ground truth about each event once it is acknowledged.
 */
final class Feeder {

    private final ApiClient api;
    private final GroundTruth truth;
    private final KafkaProducer<byte[], byte[]> direct;
    private final String topic;
    private final Random random;
    private final Set<String> acknowledged = new HashSet<>();
    private final List<ObjectNode> history = new ArrayList<>();
    int malformedSent;
    int duplicatesSent;
    int directSent;
    int retries;
    /** Answers 503 and requests that got no answer (connection refused or dropped): the only failures allowed. */
    int unavailable;
    int noAnswer;
    /** Waited after each acknowledged batch: a steady load rather than as fast as the platform takes it. */
    volatile Duration pause = Duration.ZERO;
    /**
     * Acknowledged events sent again in each batch. Ingest dedupes per node, so a client spreading its
     * requests over several nodes must set 0: a node cannot know what another one accepted.
     */
    int resends = 8;
    private volatile boolean stopped;

    Feeder(ApiClient api, GroundTruth truth, KafkaProducer<byte[], byte[]> direct, String topic, long seed) {
        this.api = api;
        this.truth = truth;
        this.direct = direct;
        this.topic = topic;
        this.random = new Random(seed);
    }

    void feed(List<ObjectNode> events, int batchSize) throws Exception {
        feed(events, batchSize, Integer.MAX_VALUE, new java.util.concurrent.CountDownLatch(0));
    }

    /** Feeds the events, waiting for {@code gate} before the batch that starts at event {@code holdAt}. */
    void feed(List<ObjectNode> events, int batchSize, int holdAt, java.util.concurrent.CountDownLatch gate) throws Exception {
        for (int from = 0; from < events.size() && !stopped; from += batchSize) {
            if (from == holdAt) {
                gate.await();
            }
            List<ObjectNode> fresh = events.subList(from, Math.min(events.size(), from + batchSize));
            if ((from / batchSize) % 5 == 4) {
                writeDirectly(fresh.subList(0, Math.min(20, fresh.size())));
                fresh = fresh.subList(Math.min(20, fresh.size()), fresh.size());
            }
            postBatch(fresh);
            Thread.sleep(pause.toMillis());
        }
    }

    /** Ends {@link #feed} after the batch in flight: the ground truth then holds what was acknowledged so far. */
    void stop() {
        stopped = true;
    }

    private void writeDirectly(List<ObjectNode> events) throws Exception {
        for (ObjectNode event : events) {
            ObjectNode record = event.deepCopy();
            record.put("project_id", "demo");
            String key = "demo/" + (event.hasNonNull("user_id") ? event.get("user_id").asText() : event.get("event_id").asText());
            direct.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    ApiClient.JSON.writeValueAsBytes(record))).get(30, TimeUnit.SECONDS);
            truth.accept(event);
            acknowledged.add(event.get("event_id").asText());
            directSent++;
        }
    }

    private void postBatch(List<ObjectNode> fresh) throws Exception {
        List<ObjectNode> batch = new ArrayList<>(fresh);
        for (int i = 0; i < resends && !history.isEmpty(); i++) {
            batch.add(history.get(random.nextInt(history.size())));
        }
        if (!fresh.isEmpty()) {
            batch.add(fresh.get(0));
        }
        Set<Integer> malformed = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            int index = random.nextInt(batch.size() + 1);
            batch.add(index, malformed(i));
            Set<Integer> shifted = new HashSet<>();
            malformed.forEach(m -> shifted.add(m >= index ? m + 1 : m));
            malformed = shifted;
            malformed.add(index);
        }
        ArrayNode body = ApiClient.JSON.createArrayNode();
        batch.forEach(body::add);
        String json = ApiClient.JSON.writeValueAsString(body);

        boolean ambiguous = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            ApiClient.Response response;
            try {
                response = api.post(json);
            } catch (IOException e) {
                response = null;
                noAnswer++;
            }
            if (response != null && response.status() == 202) {
                check(response.body(), batch, malformed, ambiguous);
                break;
            }
            assertThat(response == null || response.status() == 503)
                    .as("only 503 or a dropped connection may interrupt ingest, got " + (response == null ? "" : response.status() + " " + response.body()))
                    .isTrue();
            if (response != null) {
                unavailable++;
            }
            assertThat(System.nanoTime()).as("batch acknowledged within 120 s").isLessThan(deadline);
            ambiguous = true;
            retries++;
            Thread.sleep(200);
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!malformed.contains(i)) {
                truth.accept(batch.get(i));
                acknowledged.add(batch.get(i).get("event_id").asText());
            }
        }
        history.addAll(fresh);
        malformedSent += malformed.size();
        duplicatesSent += batch.size() - fresh.size() - malformed.size();
    }

    /** The answer must account for every event: rejections by index, the rest accepted or duplicate. */
    private void check(JsonNode answer, List<ObjectNode> batch, Set<Integer> malformed, boolean retried) {
        Set<Integer> rejected = new HashSet<>();
        for (JsonNode r : answer.get("rejected")) {
            rejected.add(r.get("index").asInt());
            assertThat(r.get("error").asText()).matches("(event_id|timestamp|properties\\.amount): .+");
        }
        assertThat(rejected).isEqualTo(malformed);
        int valid = batch.size() - malformed.size();
        int accepted = answer.get("accepted").asInt();
        int duplicates = answer.get("duplicates").asInt();
        assertThat(accepted + duplicates).isEqualTo(valid);
        if (!retried) {
            Set<String> seen = new HashSet<>(acknowledged);
            int expectedDuplicates = 0;
            for (int i = 0; i < batch.size(); i++) {
                if (!malformed.contains(i) && !seen.add(batch.get(i).get("event_id").asText())) {
                    expectedDuplicates++;
                }
            }
            assertThat(duplicates).as("duplicates in " + answer).isEqualTo(expectedDuplicates);
        }
    }

    private ObjectNode malformed(int kind) {
        ObjectNode event = ApiClient.JSON.createObjectNode();
        event.put("event_type", "page_view");
        switch (kind) {
            case 0 -> event.put("timestamp", "2026-02-16T10:00:00Z");
            case 1 -> event.put("event_id", "bad-ts-" + random.nextLong()).put("timestamp", "yesterday");
            default -> {
                event.put("event_id", "bad-amount-" + random.nextLong()).put("timestamp", "2026-02-16T10:00:00Z");
                event.putObject("properties").put("amount", "12.50");
            }
        }
        return event;
    }
}
