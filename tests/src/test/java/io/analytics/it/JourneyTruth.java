package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the sessions and funnels endpoints must answer, computed by the test from the accepted events
 * with no code shared with the platform: sessions cut at gaps of more than 30 minutes, keyed by the UTC
 * day of their first event and its country; ordered funnels with the earliest next step each time.
 */
final class JourneyTruth {

    static final long GAP = 30 * 60_000L;
    static final String[] FUNNEL = {"page_view", "product_view", "add_to_cart", "checkout_started", "purchase_completed"};
    private static final String NULL_KEY = "<null>";

    private record Event(String user, long time, String id, String type, String country) {}

    private static final Comparator<Event> ORDER = Comparator.comparingLong(Event::time).thenComparing(Event::id);

    private final Map<String, List<Event>> byUser = new HashMap<>();

    JourneyTruth(List<ObjectNode> events) {
        for (ObjectNode event : events) {
            if (!event.hasNonNull("user_id")) {
                continue;
            }
            JsonNode country = event.path("properties").path("country");
            Event e = new Event(event.get("user_id").asText(), Instant.parse(event.get("timestamp").asText()).toEpochMilli(),
                    event.get("event_id").asText(), event.get("event_type").asText(), country.isTextual() ? country.asText() : null);
            byUser.computeIfAbsent(e.user(), k -> new ArrayList<>()).add(e);
        }
        byUser.values().forEach(list -> list.sort(ORDER));
    }

    /** Waits (up to 90 s) until the journey recorder holds every accepted event of a known user, once. */
    static void awaitRecorded(TestPostgres postgres, List<ObjectNode> accepted) throws Exception {
        long expected = accepted.stream().filter(e -> e.hasNonNull("user_id")).count();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long recorded = 0;
        while (System.nanoTime() < deadline) {
            recorded = postgres.count("SELECT count(*) FROM user_events");
            if (recorded == expected) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("user events recorded: " + recorded + " of " + expected + " within 90 s");
    }

    /** Asks both endpoints over {@code [from, to)}, ungrouped and by country, and compares with the truth. */
    static void assertSessionsAndFunnels(ApiClient api, List<ObjectNode> accepted, String from, String to) throws Exception {
        JourneyTruth truth = new JourneyTruth(accepted);
        long start = Instant.parse(from).toEpochMilli();
        long end = Instant.parse(to).toEpochMilli();
        for (String groupBy : new String[] {null, "country"}) {
            Map<String, String> params = new HashMap<>(Map.of("start_time", from, "end_time", to));
            if (groupBy != null) params.put("group_by", groupBy);
            ApiClient.Response sessions = api.get("/api/v1/sessions", params);
            assertThat(sessions.status()).as(sessions.body().toString()).isEqualTo(200);
            assertThat(actualSessions(sessions.body())).as("sessions " + params)
                    .isEqualTo(truth.sessions(start, end, groupBy != null));

            params.put("steps", String.join(",", FUNNEL));
            params.put("conversion_window", "1h");
            ApiClient.Response funnel = api.get("/api/v1/funnels", params);
            assertThat(funnel.status()).as(funnel.body().toString()).isEqualTo(200);
            Map<String, Funnel> expected = truth.funnel(start, end, 3_600_000L, groupBy != null);
            Map<String, Funnel> actual = actualFunnels(funnel.body());
            assertThat(actual.keySet()).as("funnel groups " + params).isEqualTo(expected.keySet());
            expected.forEach((key, want) -> {
                Funnel have = actual.get(key);
                assertThat(have.users()).as("users per step of " + key + " " + params).isEqualTo(want.users());
                if (want.median() == null) {
                    assertThat(have.median()).isNull();
                } else {
                    assertThat(have.median()).as("median time to convert of " + key).isCloseTo(want.median(), within(1e-6));
                }
            });
        }
    }

    /** key → day → [sessions, total duration ms, bounces, page views], as strings for a readable diff. */
    private Map<String, Map<String, String>> sessions(long start, long end, boolean byCountry) {
        Map<String, Map<String, long[]>> groups = new TreeMap<>();
        byUser.values().forEach(events -> {
            List<Event> within = events.stream().filter(e -> e.time() >= start - GAP && e.time() < end).toList();
            int i = 0;
            while (i < within.size()) {
                int j = i + 1;
                while (j < within.size() && within.get(j).time() - within.get(j - 1).time() <= GAP) {
                    j++;
                }
                Event first = within.get(i);
                if (first.time() >= start) {
                    long pages = within.subList(i, j).stream().filter(e -> e.type().equals("page_view")).count();
                    String key = byCountry ? keyOf(first.country()) : NULL_KEY;
                    String day = Instant.ofEpochMilli(first.time()).atZone(ZoneOffset.UTC).toLocalDate().toString();
                    long[] sums = groups.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(day, k -> new long[4]);
                    sums[0]++;
                    sums[1] += within.get(j - 1).time() - first.time();
                    sums[2] += pages == 1 ? 1 : 0;
                    sums[3] += pages;
                }
                i = j;
            }
        });
        Map<String, Map<String, String>> result = new TreeMap<>();
        groups.forEach((key, days) -> days.forEach((day, s) -> result.computeIfAbsent(key, k -> new TreeMap<>())
                .put(day, describe(s[0], s[1] / 1000.0 / s[0], (double) s[2] / s[0], (double) s[3] / s[0]))));
        return result;
    }

    private static Map<String, Map<String, String>> actualSessions(JsonNode body) {
        Map<String, Map<String, String>> result = new TreeMap<>();
        for (JsonNode series : body.get("series")) {
            String key = series.get("key").isNull() ? NULL_KEY : series.get("key").asText();
            for (JsonNode point : series.get("points")) {
                result.computeIfAbsent(key, k -> new TreeMap<>()).put(point.get("day").asText(), describe(point.get("sessions").asLong(),
                        point.get("avg_duration_s").asDouble(), point.get("bounce_rate").asDouble(), point.get("pages_per_session").asDouble()));
            }
        }
        return result;
    }

    private static String describe(long sessions, double avgDuration, double bounceRate, double pages) {
        return String.format("%d sessions, %.4f s, bounce %.6f, %.6f pages", sessions, avgDuration, bounceRate, pages);
    }

    record Funnel(List<Long> users, Double median) {}

    /** The funnel of everyone entering in [start, end), one group; zeros when nobody entered. */
    Funnel funnel(long start, long end, long window) {
        return funnel(start, end, window, false).getOrDefault(NULL_KEY,
                new Funnel(java.util.Collections.nCopies(FUNNEL.length, 0L), null));
    }

    private Map<String, Funnel> funnel(long start, long end, long window, boolean byCountry) {
        Map<String, long[]> users = new TreeMap<>();
        Map<String, List<Long>> times = new TreeMap<>();
        for (List<Event> events : byUser.values()) {
            int best = 0;
            long fastest = -1;
            Event bestEntry = null;
            for (int i = 0; i < events.size(); i++) {
                Event entry = events.get(i);
                if (!entry.type().equals(FUNNEL[0]) || entry.time() < start || entry.time() >= end) {
                    continue;
                }
                int step = 1;
                long last = entry.time();
                for (int j = i + 1; j < events.size() && step < FUNNEL.length && events.get(j).time() <= entry.time() + window; j++) {
                    if (events.get(j).type().equals(FUNNEL[step])) {
                        step++;
                        last = events.get(j).time();
                    }
                }
                long took = step == FUNNEL.length ? last - entry.time() : -1;
                if (step > best || (step == best && took >= 0 && took < fastest)) {
                    best = step;
                    fastest = took;
                    bestEntry = entry;
                }
            }
            if (best == 0) {
                continue;
            }
            String key = byCountry ? keyOf(bestEntry.country()) : NULL_KEY;
            long[] perStep = users.computeIfAbsent(key, k -> new long[FUNNEL.length]);
            for (int s = 0; s < best; s++) {
                perStep[s]++;
            }
            if (best == FUNNEL.length) {
                times.computeIfAbsent(key, k -> new ArrayList<>()).add(fastest);
            }
        }
        Map<String, Funnel> result = new TreeMap<>();
        users.forEach((key, perStep) -> {
            List<Long> counts = new ArrayList<>();
            for (long c : perStep) counts.add(c);
            result.put(key, new Funnel(counts, median(times.getOrDefault(key, List.of()))));
        });
        return result;
    }

    private static Double median(List<Long> millis) {
        if (millis.isEmpty()) {
            return null;
        }
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        int n = sorted.size();
        return (n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0) / 1000.0;
    }

    private static Map<String, Funnel> actualFunnels(JsonNode body) {
        Map<String, Funnel> result = new TreeMap<>();
        for (JsonNode group : body.get("groups")) {
            List<Long> users = new ArrayList<>();
            group.get("steps").forEach(step -> users.add(step.get("users").asLong()));
            JsonNode median = group.get("median_time_to_convert_s");
            result.put(group.get("key").isNull() ? NULL_KEY : group.get("key").asText(),
                    new Funnel(users, median.isNull() ? null : median.asDouble()));
        }
        return result;
    }

    private static String keyOf(String value) {
        return value == null ? NULL_KEY : value;
    }
}
