package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.node.AnalyticsNode;
import io.analytics.node.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions and funnels over two days of visits, posted in a random order (so most events arrive
 * after later ones of the same user, many hours late): every day × country summary of sessions and
 * every funnel step count and median time to convert equal what the test computes itself.
 */
class JourneysIntegrationTest {

    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private static final String FROM = "2026-03-01T00:00:00Z";
    private static final String TO = "2026-03-03T00:00:00Z";

    @TempDir
    Path tmp;

    @Test
    void sessionsAndFunnelsEqualTheTruthWhateverTheArrivalOrder() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0); TestPostgres postgres = new TestPostgres()) {
            AnalyticsNode node = TestNode.start(kafka.bootstrapServers(), postgres, tmp.resolve("node"), Map.of());
            try {
                ApiClient api = new ApiClient(node.url(), TestNode.API_KEY);
                List<ObjectNode> events = visits(new Random(7), 160);
                Collections.shuffle(events, new Random(8));
                for (int from = 0; from < events.size(); from += 200) {
                    ArrayNode batch = ApiClient.JSON.createArrayNode();
                    events.subList(from, Math.min(events.size(), from + 200)).forEach(batch::add);
                    ApiClient.Response response = api.post(ApiClient.JSON.writeValueAsString(batch));
                    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
                }
                JourneyTruth.awaitRecorded(postgres, events);

                JourneyTruth.assertSessionsAndFunnels(api, events, FROM, TO);
                JourneyTruth.assertSessionsAndFunnels(api, events, "2026-03-01T06:00:00Z", "2026-03-02T06:00:00Z");
                assertNotTrivial(api);
                assertClearErrors(api);
            } finally {
                node.close();
            }
        }
    }

    /** Each user visits one to four times over two days; a visit walks some way down the purchase funnel. */
    private static List<ObjectNode> visits(Random random, int users) {
        List<ObjectNode> events = new ArrayList<>();
        int id = 0;
        for (int u = 0; u < users; u++) {
            String user = "visitor_" + u;
            String country = new String[] {"US", "DE", "FR", "JP"}[random.nextInt(4)];
            long time = START.toEpochMilli() + random.nextInt(20 * 3_600_000);
            int visits = 1 + random.nextInt(4);
            for (int v = 0; v < visits; v++) {
                int depth = 1 + random.nextInt(JourneyTruth.FUNNEL.length);
                for (int s = 0; s < depth; s++) {
                    String type = random.nextInt(6) == 0 ? "page_view" : JourneyTruth.FUNNEL[s];
                    events.add(event("j-" + id++, user, time, type, random.nextInt(8) == 0 ? null : country));
                    time += 1_000 + random.nextInt(random.nextInt(10) == 0 ? 40 * 60_000 : 8 * 60_000);
                }
                time += 31 * 60_000 + random.nextInt(6 * 3_600_000);
            }
        }
        for (int i = 0; i < 40; i++) {
            events.add(event("anon-" + i, null, START.toEpochMilli() + random.nextInt(40 * 3_600_000), "page_view", "US"));
        }
        return events;
    }

    private static ObjectNode event(String id, String user, long time, String type, String country) {
        ObjectNode event = ApiClient.JSON.createObjectNode().put("event_id", id).put("event_type", type)
                .put("timestamp", Instant.ofEpochMilli(time).toString());
        if (user != null) {
            event.put("user_id", user);
        }
        ObjectNode properties = event.putObject("properties");
        if (country != null) {
            properties.put("country", country);
        }
        return event;
    }

    /** The scenario exercises what it claims: users with several sessions, bounces, full conversions. */
    private static void assertNotTrivial(ApiClient api) throws Exception {
        var sessions = api.get("/api/v1/sessions", Map.of("start_time", FROM, "end_time", TO)).body();
        long total = 0;
        double bounces = 0;
        for (var point : sessions.get("series").get(0).get("points")) {
            total += point.get("sessions").asLong();
            bounces += point.get("bounce_rate").asDouble() * point.get("sessions").asLong();
        }
        assertThat(total).as("sessions of 160 users visiting up to four times").isGreaterThan(250);
        assertThat(bounces).isPositive();
        var funnel = api.get("/api/v1/funnels", Map.of("steps", String.join(",", JourneyTruth.FUNNEL), "start_time", FROM, "end_time", TO))
                .body().get("groups").get(0);
        assertThat(funnel.get("steps").get(JourneyTruth.FUNNEL.length - 1).get("users").asLong()).isPositive();
        assertThat(funnel.get("median_time_to_convert_s").asDouble()).isPositive();
    }

    private static void assertClearErrors(ApiClient api) throws Exception {
        ApiClient.Response noSteps = api.get("/api/v1/funnels", Map.of("start_time", FROM, "end_time", TO));
        assertThat(noSteps.status()).isEqualTo(400);
        assertThat(noSteps.body().get("error").asText()).contains("steps");
        ApiClient.Response oneStep = api.get("/api/v1/funnels", Map.of("steps", "page_view", "start_time", FROM, "end_time", TO));
        assertThat(oneStep.body().get("error").asText()).contains("at least two steps");
        ApiClient.Response badWindow = api.get("/api/v1/funnels", Map.of("steps", "page_view,purchase_completed",
                "conversion_window", "soon", "start_time", FROM, "end_time", TO));
        assertThat(badWindow.status()).isEqualTo(400);
        assertThat(badWindow.body().get("error").asText()).contains("conversion_window");
        ApiClient.Response badGroup = api.get("/api/v1/sessions", Map.of("group_by", "shoe_size", "start_time", FROM, "end_time", TO));
        assertThat(badGroup.status()).isEqualTo(400);
        assertThat(badGroup.body().get("error").asText()).contains("group_by").contains("country");
    }
}
