package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.HashSet;
import java.util.TreeMap;

/**
 * What the metrics API must answer, computed by the test from the events it knows were accepted,
 * with no code shared with the platform.
 */
final class GroundTruth {

    static final Map<String, Long> WINDOWS = Map.of("1m", 60_000L, "5m", 300_000L, "1h", 3_600_000L, "1d", 86_400_000L);
    private static final String NULL_KEY = "<null>";

    private final Map<String, ObjectNode> accepted = new LinkedHashMap<>();

    /** Records an accepted event; a second event with the same id changes nothing, as the API promises. */
    synchronized void accept(ObjectNode event) {
        accepted.putIfAbsent(event.get("event_id").asText(), event);
    }

    /** The accepted events, each once. */
    synchronized List<ObjectNode> events() {
        return List.copyOf(accepted.values());
    }

    synchronized int size() {
        return accepted.size();
    }

    /** group key → window start → value, for one query. */
    synchronized Map<String, TreeMap<Long, Double>> expected(String metric, String window, String groupBy, String eventType) {
        long size = WINDOWS.get(window);
        Map<String, Map<Long, List<ObjectNode>>> groups = new HashMap<>();
        for (ObjectNode event : accepted.values()) {
            String type = event.get("event_type").asText();
            boolean selected = switch (metric) {
                case "events" -> eventType == null || eventType.equals(type);
                case "orders", "revenue", "avg_order_value" -> type.equals("purchase_completed");
                default -> true;
            };
            if (!selected) {
                continue;
            }
            long time = EventScenario.millis(event);
            long start = Math.floorDiv(time, size) * size;
            groups.computeIfAbsent(keyOf(event, groupBy), k -> new HashMap<>())
                    .computeIfAbsent(start, k -> new ArrayList<>()).add(event);
        }
        Map<String, TreeMap<Long, Double>> result = new HashMap<>();
        groups.forEach((key, windows) -> windows.forEach((start, events) ->
                result.computeIfAbsent(key, k -> new TreeMap<>()).put(start, value(metric, events))));
        return result;
    }

    private static double value(String metric, List<ObjectNode> events) {
        double revenue = events.stream().mapToDouble(e -> e.path("properties").path("amount").asDouble(0)).sum();
        return switch (metric) {
            case "events", "orders" -> events.size();
            case "revenue" -> revenue;
            case "avg_order_value" -> revenue / events.size();
            case "unique_users" -> {
                Set<String> users = new HashSet<>();
                events.forEach(e -> { if (e.hasNonNull("user_id")) users.add(e.get("user_id").asText()); });
                yield users.size();
            }
            default -> throw new IllegalArgumentException(metric);
        };
    }

    private static String keyOf(ObjectNode event, String groupBy) {
        if (groupBy == null) {
            return NULL_KEY;
        }
        JsonNode value = switch (groupBy) {
            case "event_type", "user_id", "session_id" -> event.get(groupBy);
            default -> event.path("properties").has(groupBy)
                    ? event.path("properties").get(groupBy)
                    : event.path("metadata").get(groupBy);
        };
        return value == null || value.isNull() ? NULL_KEY : value.asText();
    }

    /** The API's answer in the same shape. unique_users windows with no user at all do not appear in either. */
    static Map<String, TreeMap<Long, Double>> actual(JsonNode body) {
        Map<String, TreeMap<Long, Double>> result = new HashMap<>();
        for (JsonNode series : body.get("series")) {
            String key = series.get("key").isNull() ? NULL_KEY : series.get("key").asText();
            TreeMap<Long, Double> points = result.computeIfAbsent(key, k -> new TreeMap<>());
            for (JsonNode point : series.get("points")) {
                points.put(Instant.parse(point.get("window_start").asText()).toEpochMilli(), point.get("value").asDouble());
            }
        }
        return result;
    }

    /** Exact for counts, to rounding for money, within 2% (or 1) for the HyperLogLog unique users. */
    static void assertMatches(String metric, Map<String, TreeMap<Long, Double>> expected,
            Map<String, TreeMap<Long, Double>> actual, String description) {
        Map<String, TreeMap<Long, Double>> expectedNonZero = withoutZeros(expected);
        Map<String, TreeMap<Long, Double>> actualNonZero = withoutZeros(actual);
        assertThat(actualNonZero.keySet()).as(description + " groups").isEqualTo(expectedNonZero.keySet());
        expectedNonZero.forEach((key, windows) -> {
            TreeMap<Long, Double> got = actualNonZero.get(key);
            assertThat(got.keySet()).as(description + " windows of " + key).isEqualTo(windows.keySet());
            windows.forEach((start, want) -> {
                double have = got.get(start);
                String what = description + " " + key + " @" + Instant.ofEpochMilli(start);
                switch (metric) {
                    case "events", "orders" -> assertThat(have).as(what).isEqualTo(want);
                    case "unique_users" -> assertThat(Math.abs(have - want)).as(what + " (" + have + " vs " + want + ")")
                            .isLessThanOrEqualTo(Math.max(1.0, want * 0.02));
                    default -> assertThat(Math.abs(have - want)).as(what + " (" + have + " vs " + want + ")")
                            .isLessThanOrEqualTo(1e-6 * Math.max(1, Math.abs(want)));
                }
            });
        });
    }

    private static Map<String, TreeMap<Long, Double>> withoutZeros(Map<String, TreeMap<Long, Double>> series) {
        Map<String, TreeMap<Long, Double>> result = new HashMap<>();
        series.forEach((key, windows) -> {
            TreeMap<Long, Double> kept = new TreeMap<>();
            windows.forEach((start, value) -> { if (!Objects.equals(value, 0.0)) kept.put(start, value); });
            if (!kept.isEmpty()) {
                result.put(key, kept);
            }
        });
        return result;
    }
}
