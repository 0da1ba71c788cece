package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EventMixTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern ISO = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    private static final Map<String, Set<String>> NEXT = Map.of(
            "page_view", Set.of("page_view", "product_view"),
            "product_view", Set.of("product_view", "add_to_cart"),
            "add_to_cart", Set.of("checkout_started"),
            "checkout_started", Set.of("payment_failed", "purchase_completed"),
            "payment_failed", Set.of("purchase_completed"),
            "purchase_completed", Set.of("refund"),
            "refund", Set.of());
    private static final Set<String> COUNTRIES = Set.of(EventMix.COUNTRIES);

    private static List<JsonNode> generate(EventMix mix, int batches, int batchSize, long now) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            EventMix.Bytes bytes = mix.nextBatch(batchSize, now + b * 10L);
            JsonNode array = MAPPER.readTree(bytes.array(), 0, bytes.length());
            assertThat(array.isArray()).isTrue();
            assertThat(array.size()).isEqualTo(batchSize);
            array.forEach(events::add);
        }
        return events;
    }

    @Test
    void mixIsValidOrderedAndUnique() throws Exception {
        long now = System.currentTimeMillis();
        EventMix mix = new EventMix(5000, 200, 0, 0, 1234, "testrun");
        List<JsonNode> events = generate(mix, 200, 500, now);

        Set<String> ids = new HashSet<>();
        Map<String, String> lastType = new HashMap<>();
        Map<String, String> sessionUser = new HashMap<>();
        Map<String, Long> lastTs = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        Set<String> currencies = new HashSet<>();
        Set<String> platforms = new HashSet<>();
        Set<String> countries = new HashSet<>();
        for (JsonNode e : events) {
            // required fields and types
            assertThat(e.get("event_id").isTextual()).isTrue();
            assertThat(ids.add(e.get("event_id").asText())).as("unique id %s", e.get("event_id")).isTrue();
            String type = e.get("event_type").asText();
            assertThat(NEXT).containsKey(type);
            String ts = e.get("timestamp").asText();
            assertThat(ts).matches(ISO);
            long tsMillis = Instant.parse(ts).toEpochMilli();
            assertThat(tsMillis).isBetween(now, now + 200 * 10L);
            assertThat(e.get("user_id").asText()).startsWith("user_");
            assertThat(e.get("session_id").asText()).startsWith("sess_testrun_");
            JsonNode p = e.get("properties");
            JsonNode m = e.get("metadata");
            assertThat(p.isObject()).isTrue();
            assertThat(m.isObject()).isTrue();
            assertThat(COUNTRIES).contains(p.get("country").asText());
            countries.add(p.get("country").asText());
            assertThat(m.get("ip_address").asText()).matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
            assertThat(m.get("user_agent").asText()).isNotBlank();
            platforms.add(m.get("platform").asText());
            if (!type.equals("page_view")) {
                assertThat(p.get("product_id").asText()).matches("prod_\\d+");
                assertThat(p.get("currency").asText()).isIn("USD", "EUR", "GBP");
                currencies.add(p.get("currency").asText());
            }
            if (type.equals("purchase_completed") || type.equals("refund") || type.equals("payment_failed")) {
                assertThat(p.get("amount").isNumber()).isTrue();
                double amount = p.get("amount").asDouble();
                assertThat(amount).isBetween(0.49, 3 * 900.0);
                assertThat(Math.abs(amount * 100 - Math.round(amount * 100))).isLessThan(1e-6);
                assertThat(p.get("payment_method").isTextual()).isTrue();
                assertThat(p.get("quantity").asInt()).isBetween(1, 3);
            } else {
                assertThat(p.has("amount")).isFalse();
            }
            if (type.equals("purchase_completed") || type.equals("refund")) {
                assertThat(p.get("order_id").asText()).startsWith("ord_testrun_");
            }
            counts.merge(type, 1, Integer::sum);

            // funnel order per session
            String session = e.get("session_id").asText();
            String prev = lastType.put(session, type);
            if (prev == null) {
                assertThat(type).as("first event of %s", session).isEqualTo("page_view");
            } else {
                assertThat(NEXT.get(prev)).as("%s after %s in %s", type, prev, session).contains(type);
            }
            String user = sessionUser.putIfAbsent(session, e.get("user_id").asText());
            if (user != null) {
                assertThat(e.get("user_id").asText()).isEqualTo(user);
            }
            Long before = lastTs.put(session, tsMillis);
            if (before != null) {
                assertThat(tsMillis).isGreaterThanOrEqualTo(before);
            }
        }
        // a refund is always for the order of the same session's purchase
        assertThat(events.size()).isEqualTo(100_000);
        assertThat(counts.get("page_view")).isGreaterThan(counts.get("product_view"));
        assertThat(counts.get("product_view")).isGreaterThan(counts.get("add_to_cart"));
        assertThat(counts.get("add_to_cart")).isGreaterThan(counts.get("checkout_started"));
        assertThat(counts.get("checkout_started")).isGreaterThan(counts.get("purchase_completed"));
        assertThat(counts.get("purchase_completed")).isGreaterThan(counts.getOrDefault("payment_failed", 0));
        assertThat(counts.get("payment_failed")).isPositive();
        assertThat(counts.get("refund")).isPositive().isLessThan(counts.get("purchase_completed") / 10);
        assertThat(currencies).containsExactlyInAnyOrder("USD", "EUR", "GBP");
        assertThat(platforms).containsExactlyInAnyOrder("web", "ios", "android");
        assertThat(countries).hasSizeGreaterThanOrEqualTo(18);
        assertThat(mix.duplicatesEmitted()).isZero();
        System.out.println("event mix of 100000: " + counts);
    }

    @Test
    void duplicatesAreExactResendsAtTheRequestedFraction() throws Exception {
        EventMix mix = new EventMix(1000, 50, 0, 0.1, 99, "dup");
        List<JsonNode> events = generate(mix, 40, 500, System.currentTimeMillis());
        Map<String, JsonNode> byId = new HashMap<>();
        int resent = 0;
        for (JsonNode e : events) {
            JsonNode first = byId.putIfAbsent(e.get("event_id").asText(), e);
            if (first != null) {
                resent++;
                assertThat(e).isEqualTo(first);
            }
        }
        assertThat(resent).isEqualTo((int) mix.duplicatesEmitted());
        assertThat(resent / 20_000.0).isBetween(0.08, 0.12);
    }

    @Test
    void disorderLagsTimestampsButKeepsSessionsOrdered() throws Exception {
        long now = System.currentTimeMillis();
        EventMix mix = new EventMix(1000, 50, 120_000, 0, 5, "dis");
        List<JsonNode> events = generate(mix, 20, 500, now);
        Map<String, Long> lastTs = new HashMap<>();
        long minTs = Long.MAX_VALUE;
        for (JsonNode e : events) {
            long ts = Instant.parse(e.get("timestamp").asText()).toEpochMilli();
            assertThat(ts).isBetween(now - 120_000, now + 200);
            minTs = Math.min(minTs, ts);
            Long before = lastTs.put(e.get("session_id").asText(), ts);
            if (before != null) {
                assertThat(ts).isGreaterThanOrEqualTo(before);
            }
        }
        assertThat(minTs).isLessThan(now - 60_000);
    }

    @Test
    void probeIsASingleEventArray() throws Exception {
        JsonNode a = MAPPER.readTree(EventMix.probe("r1", 3, 1_771_237_800_000L));
        assertThat(a.size()).isEqualTo(1);
        assertThat(a.get(0).get("event_type").asText()).isEqualTo("loadgen_probe");
        assertThat(a.get(0).get("event_id").asText()).isEqualTo("probe_r1_3");
        assertThat(a.get(0).get("timestamp").asText()).isEqualTo("2026-02-16T10:30:00Z");
    }

    @Test
    void isoFormattingMatchesJavaTime() {
        EventMix mix = new EventMix(1, 1, 0, 0, 1, "x");
        for (long t : new long[] {0L, 1_771_237_800_123L, 1_771_286_399_999L, 1_771_286_400_000L, 4_102_444_799_999L}) {
            mix.formatIso(t);
            String expected = Instant.ofEpochMilli(t).toString();
            String got = mix.lastFormatted();
            assertThat(Instant.parse(got).toEpochMilli()).isEqualTo(t);
            assertThat(got).startsWith(expected.substring(0, 19));
        }
    }
}
