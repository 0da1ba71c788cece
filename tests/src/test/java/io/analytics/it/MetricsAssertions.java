package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Compares every metric, window and grouping the API offers with the ground truth. */
final class MetricsAssertions {

    static final String FROM = "2026-02-16T00:00:00Z";
    static final String TO = "2026-02-17T00:00:00Z";
    static final String[] METRICS = {"events", "orders", "revenue", "avg_order_value", "unique_users", "late_events"};
    static final String[] GROUPS = {null, "country", "event_type", "platform", "product_id"};

    private MetricsAssertions() {}

    /** Waits until the platform has counted as many events as were acknowledged. */
    static void awaitAllCounted(ApiClient api, GroundTruth truth) throws Exception {
        assertThat(awaitCounted(api, truth.size())).as("events counted by the platform").isEqualTo(truth.size());
    }

    /** Waits (up to 90 s) until at least {@code count} events are counted; returns the last count seen. */
    static double awaitCounted(ApiClient api, long count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        double counted = -1;
        while (System.nanoTime() < deadline) {
            counted = total(api);
            if (counted >= count) {
                return counted;
            }
            Thread.sleep(100);
        }
        return counted;
    }

    static void assertEveryMetric(ApiClient api, GroundTruth truth) throws Exception {
        for (String metric : METRICS) {
            for (String window : GroundTruth.WINDOWS.keySet()) {
                for (String group : GROUPS) {
                    check(api, truth, metric, window, group, null);
                }
            }
        }
        for (String type : Arrays.asList("purchase_completed", "product_view", "refund")) {
            for (String window : GroundTruth.WINDOWS.keySet()) {
                check(api, truth, "events", window, null, type);
                check(api, truth, "events", window, "country", type);
            }
        }
    }

    private static void check(ApiClient api, GroundTruth truth, String metric, String window, String group, String type)
            throws Exception {
        long size = GroundTruth.WINDOWS.get(window);
        check(api, truth, metric, window, null, group, type, truth.expected(metric, size, size, group, type));
    }

    /** Windows of {@code window} every {@code slide} (tumbling when null), against the ground truth. */
    static void checkSliding(ApiClient api, GroundTruth truth, String metric, String window, String slide, String group)
            throws Exception {
        long size = millis(window);
        long step = slide == null ? size : millis(slide);
        check(api, truth, metric, window, slide, group, null, truth.expected(metric, size, step, group, null));
    }

    private static void check(ApiClient api, GroundTruth truth, String metric, String window, String slide, String group,
            String type, Map<String, TreeMap<Long, Double>> expected) throws Exception {
        Map<String, String> params = new HashMap<>(Map.of("metric", metric, "window", window, "start_time", FROM, "end_time", TO));
        if (slide != null) params.put("slide", slide);
        if (group != null) params.put("group_by", group);
        if (type != null) params.put("event_type", type);
        ApiClient.Response response = api.metrics(params);
        assertThat(response.status()).as(params + " " + response.body()).isEqualTo(200);
        assertThat(response.body().path("approximate").asBoolean(false)).isEqualTo(metric.equals("unique_users"));
        Map<String, TreeMap<Long, Double>> actual = GroundTruth.actual(response.body());
        GroundTruth.assertMatches(metric, expected, actual, params.toString());
    }

    /** 5m, 2h, 1d: the test's own reading of a window length. */
    static long millis(String window) {
        long amount = Long.parseLong(window.substring(0, window.length() - 1));
        return amount * switch (window.charAt(window.length() - 1)) {
            case 'm' -> 60_000L;
            case 'h' -> 3_600_000L;
            default -> 86_400_000L;
        };
    }

    private static double total(ApiClient api) throws Exception {
        ApiClient.Response response = api.metrics(Map.of("metric", "events", "window", "1d", "start_time", FROM, "end_time", TO));
        double sum = 0;
        for (var series : response.body().path("series")) {
            for (var point : series.get("points")) {
                sum += point.get("value").asDouble();
            }
        }
        return sum;
    }
}
