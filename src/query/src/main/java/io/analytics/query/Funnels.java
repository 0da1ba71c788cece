package io.analytics.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.core.journey.Funnel;
import io.analytics.journeys.UserEventStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Funnels over the recorded user events: the computation behind {@code GET /api/v1/funnels}, shared with
 * the live hub's {@code funnel_today} so that both always agree.
 */
public final class Funnels {

    /** The shop's purchase path, the funnel the dashboard shows. */
    public static final List<String> DEFAULT_STEPS =
            List.of("page_view", "product_view", "add_to_cart", "checkout_started", "purchase_completed");
    public static final Duration DEFAULT_CONVERSION_WINDOW = Duration.ofHours(1);

    private final UserEventStore store;

    public Funnels(UserEventStore store) {
        this.store = store;
    }

    /**
     * Users entering in [{@code start}, {@code end}), by the value of {@code groupBy} on their entry
     * ({@code ""}: one group keyed null, absent when nobody entered). Reads events up to the end plus
     * the conversion window, so users entering just before the end may still convert.
     */
    public Map<String, Funnel.Result> evaluate(String project, Funnel funnel, long start, long end, String groupBy)
            throws SQLException {
        return funnel.evaluate(store.eventsByUser(project, start, end + funnel.windowMillis()), start, end, groupBy);
    }

    /** One group's {@code steps} (step, users, conversion), {@code overall_conversion} and {@code median_time_to_convert_s}. */
    public static void render(ObjectNode group, List<String> steps, Funnel.Result result) {
        ArrayNode perStep = group.putArray("steps");
        for (int i = 0; i < steps.size(); i++) {
            perStep.addObject().put("step", steps.get(i)).put("users", result.usersPerStep().get(i)).put("conversion", result.conversion(i));
        }
        group.put("overall_conversion", result.overallConversion());
        if (result.medianConvertSeconds() == null) {
            group.putNull("median_time_to_convert_s");
        } else {
            group.put("median_time_to_convert_s", result.medianConvertSeconds());
        }
    }
}
