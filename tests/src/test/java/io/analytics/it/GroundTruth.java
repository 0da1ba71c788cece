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
    private final Map<String, Long> lateWatermark = new HashMap<>();

    private ObjectNode last;

    /** Records an accepted event; a second event with the same id changes nothing, as the API promises. */
    synchronized void accept(ObjectNode event) {
        if (accepted.putIfAbsent(event.get("event_id").asText(), event) == null) {
            last = event;
        }
    }

    /** The event time of the event accepted last, or {@code otherwise} before the first. */
    synchronized Instant lastEventTime(Instant otherwise) {
        return last == null ? otherwise : Instant.parse(last.get("timestamp").asText());
    }

    /** The accepted events, each once. */
    synchronized List<ObjectNode> events() {
        return List.copyOf(accepted.values());
    }

    synchronized int size() {
        return accepted.size();
    }

    /**
     * Records an event the test sent after the watermark of its partition had reached {@code watermark}
     * (it knows because every partition had seen a later event first): the platform must leave it out
     * of every stored window ending at or before that watermark and count it in {@code late_events}
     * under the window holding the watermark.
     */
    synchronized void acceptLate(ObjectNode event, long watermark) {
        accept(event);
        lateWatermark.put(event.get("event_id").asText(), watermark);
    }

    /** group key → window start → value, for one query over tumbling windows. */
    synchronized Map<String, TreeMap<Long, Double>> expected(String metric, String window, String groupBy, String eventType) {
        long size = WINDOWS.get(window);
        return expected(metric, size, size, groupBy, eventType);
    }

    /** group key → window start → value, for windows of {@code size} starting every {@code slide}. */
    synchronized Map<String, TreeMap<Long, Double>> expected(String metric, long size, long slide, String groupBy, String eventType) {
        Map<String, TreeMap<Long, Double>> result = new HashMap<>();
        windows(metric, size, slide, groupBy, eventType).forEach((key, windows) -> windows.forEach((start, events) ->
                result.computeIfAbsent(key, k -> new TreeMap<>()).put(start, value(metric, events))));
        return result;
    }

    /**
     * group key → window start → the events counted in it. A window of {@code size} every {@code slide}
     * is made of stored windows of the largest stored size dividing both; a late event is in it when it
     * is in those stored windows (they ended after its watermark). {@code late_events} files each late
     * event at its watermark instead of its own time.
     */
    synchronized Map<String, TreeMap<Long, List<ObjectNode>>> windows(String metric, long size, long slide, String groupBy,
            String eventType) {
        long base = WINDOWS.values().stream().filter(w -> size % w == 0 && slide % w == 0).max(Long::compare).orElseThrow();
        Map<String, TreeMap<Long, List<ObjectNode>>> groups = new HashMap<>();
        for (ObjectNode event : accepted.values()) {
            String type = event.get("event_type").asText();
            Long watermark = lateWatermark.get(event.get("event_id").asText());
            boolean selected = switch (metric) {
                case "events" -> eventType == null || eventType.equals(type);
                case "orders", "revenue", "avg_order_value" -> type.equals("purchase_completed");
                case "amount_percentiles" -> type.equals(eventType == null ? "purchase_completed" : eventType)
                        && event.path("properties").hasNonNull("amount");
                case "late_events" -> watermark != null;
                default -> true;
            };
            long time = metric.equals("late_events") && watermark != null ? watermark : EventScenario.millis(event);
            long baseStart = Math.floorDiv(time, base) * base;
            boolean inStoredWindow = metric.equals("late_events") || watermark == null || baseStart + base > watermark;
            if (!selected || !inStoredWindow) {
                continue;
            }
            for (long start = Math.floorDiv(baseStart, slide) * slide; start > baseStart - size; start -= slide) {
                groups.computeIfAbsent(keyOf(event, groupBy), k -> new TreeMap<>())
                        .computeIfAbsent(start, k -> new ArrayList<>()).add(event);
            }
        }
        return groups;
    }

    /** The top {@code k} values of {@code dimension} by count of {@code eventType} in the stored windows of {@code size} starting in [from, to). */
    synchronized List<Map.Entry<String, Long>> top(String eventType, String dimension, long from, long to, long size, int k) {
        Map<String, Long> counts = new HashMap<>();
        windows("events", size, size, dimension, eventType).forEach((key, windows) -> {
            if (!key.equals(NULL_KEY)) {
                windows.subMap(from, to).values().forEach(events -> counts.merge(key, (long) events.size(), Long::sum));
            }
        });
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(k)
                .toList();
    }

    private static double value(String metric, List<ObjectNode> events) {
        double revenue = events.stream().mapToDouble(e -> e.path("properties").path("amount").asDouble(0)).sum();
        return switch (metric) {
            case "events", "orders", "late_events" -> events.size();
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

    static String keyOf(ObjectNode event, String groupBy) {
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
                    case "events", "orders", "late_events" -> assertThat(have).as(what).isEqualTo(want);
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
