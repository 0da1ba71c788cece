package io.analytics.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.Metric;
import io.analytics.core.window.WindowSize;
import io.analytics.query.Funnels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series a client can subscribe to: the named ones of the dashboard, or any metric query given
 * as an object ({@code {"metric":"revenue","window":"1m","group_by":"country","last":"1h"}}).
 */
final class SeriesCatalog {

    /** A custom series may cover at most this many windows, so one subscription cannot ask for a year of minutes. */
    static final int MAX_WINDOWS = 1440;
    private static final Pattern SPAN = Pattern.compile("(\\d{1,4})([mhd])");
    private static final LiveRange LAST_HOUR = new LiveRange.Last(Duration.ofHours(1));

    private final Map<String, SeriesSpec> named = new LinkedHashMap<>();
    private final Set<String> dimensions;

    /** @param funnels whether user journeys are recorded, without which there is no funnel to show */
    SeriesCatalog(HubSettings settings, List<String> dimensions, boolean funnels) {
        this.dimensions = Set.copyOf(dimensions);
        requireDimension("product_id");
        requireDimension("country");
        WindowSize minute = WindowSize.ONE_MINUTE;
        SeriesSpec.Timeline orders = timeline("orders_per_minute", Metric.ORDERS, minute, LAST_HOUR, null);
        SeriesSpec.Timeline revenue = timeline("revenue_per_minute", Metric.REVENUE, minute, LAST_HOUR, null);
        SeriesSpec.Timeline average = timeline("avg_order_value_rolling", Metric.AVG_ORDER_VALUE, minute, LAST_HOUR, null);
        add(orders);
        add(revenue);
        add(average);
        add(timeline("active_users", Metric.UNIQUE_USERS, settings.activeUsersWindow(), LAST_HOUR, null));
        add(timeline("revenue_today", Metric.REVENUE, WindowSize.ONE_DAY, new LiveRange.Today(), settings.revenueTarget()));
        add(new SeriesSpec.Ranking("top_products_last_hour", Metric.REVENUE, minute, new Dimension("product_id"),
                LAST_HOUR, settings.topLimit()));
        add(new SeriesSpec.Ranking("orders_by_country", Metric.ORDERS, WindowSize.ONE_DAY, new Dimension("country"),
                new LiveRange.Today(), settings.topLimit()));
        add(funnels
                ? new SeriesSpec.Funnel("funnel_today", Funnels.DEFAULT_STEPS, Funnels.DEFAULT_CONVERSION_WINDOW,
                        new LiveRange.Today(), settings.funnelEvery())
                : new SeriesSpec.Unavailable("funnel_today",
                        "funnels are not available: this node does not record user journeys (analytics.journeys.enabled)"));
        List<AlertRule> rules = new ArrayList<>();
        for (Config rule : settings.alerts()) {
            rules.add(rule(rule, List.of(orders, revenue, average)));
        }
        add(new SeriesSpec.Alerts("alerts", rules));
    }

    Set<String> names() {
        return named.keySet();
    }

    /** A series name, or a metric query object; a clear {@link IllegalArgumentException} otherwise. */
    SeriesSpec resolve(JsonNode item) {
        if (item.isTextual()) {
            SeriesSpec spec = named.get(item.asText());
            if (spec == null) {
                throw new IllegalArgumentException("unknown series '" + item.asText() + "'; known: "
                        + String.join(", ", named.keySet()) + ", or a metric query object");
            }
            return spec;
        }
        if (item.isObject()) {
            return custom(item);
        }
        throw new IllegalArgumentException("a subscription is a series name or a metric query object, got " + item);
    }

    private SeriesSpec custom(JsonNode query) {
        Metric metric = Metric.fromCode(text(query, "metric", null));
        WindowSize window = WindowSize.fromCode(text(query, "window", "1m"));
        String groupBy = text(query, "group_by", null);
        if (groupBy != null && !dimensions.contains(groupBy)) {
            throw new IllegalArgumentException("group_by: '" + groupBy + "' is not a pre-aggregated dimension; configured: "
                    + String.join(", ", dimensions.stream().sorted().toList()));
        }
        String eventType = text(query, "event_type", null);
        String last = text(query, "last", "1h");
        LiveRange range = last.equals("today") ? new LiveRange.Today() : new LiveRange.Last(span(last));
        LiveRange.TimeRange sample = range.at(0, window);
        if ((sample.end() - sample.start()) / window.millis() > MAX_WINDOWS) {
            throw new IllegalArgumentException("last: " + last + " of " + window.code() + " windows is more than "
                    + MAX_WINDOWS + " windows; choose a larger window or a shorter span");
        }
        String name = text(query, "name", metric.code() + "/" + window.code() + (groupBy == null ? "" : "/" + groupBy)
                + (eventType == null ? "" : "/" + eventType) + "/" + last);
        if (named.containsKey(name)) {
            throw new IllegalArgumentException("name: '" + name + "' is a named series; choose another name");
        }
        // MetricQuery's own checks (event_type only with events) apply before the spec is accepted.
        SeriesSpec.Timeline spec = new SeriesSpec.Timeline(name, metric, window,
                groupBy == null ? null : new Dimension(groupBy), eventType, range, null);
        spec.query("validation", 0);
        return spec;
    }

    private static Duration span(String text) {
        Matcher m = SPAN.matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("last: must be 'today' or a span like 30m, 1h, 7d; got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null && field.equals("metric")) {
                throw new IllegalArgumentException("metric: is required (one of " + Metric.codes() + ")");
            }
            return fallback;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + ": must be a string");
        }
        return value.asText();
    }

    private static AlertRule rule(Config rule, List<SeriesSpec.Timeline> sources) {
        String name = rule.getString("name");
        String series = rule.getString("series");
        SeriesSpec.Timeline source = sources.stream().filter(s -> s.name().equals(series)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("alert '" + name + "': series must be one of "
                        + sources.stream().map(SeriesSpec::name).toList() + ", got '" + series + "'"));
        int baseline = rule.hasPath("baseline") ? rule.getInt("baseline") : 0;
        LiveRange.TimeRange span = source.range().at(0, source.window());
        if (baseline >= (span.end() - span.start()) / source.window().millis()) {
            throw new IllegalArgumentException("alert '" + name + "': baseline " + baseline + " does not fit in " + series);
        }
        return new AlertRule(name, source, AlertRule.Condition.fromCode(rule.getString("condition")),
                rule.hasPath("threshold") ? rule.getDouble("threshold") : 0,
                rule.hasPath("factor") ? rule.getDouble("factor") : 0,
                baseline);
    }

    private void requireDimension(String dimension) {
        if (!dimensions.contains(dimension)) {
            throw new IllegalArgumentException("analytics.metrics.dimensions must include " + dimension
                    + " for the live dashboard series");
        }
    }

    private static SeriesSpec.Timeline timeline(String name, Metric metric, WindowSize window, LiveRange range, Double target) {
        return new SeriesSpec.Timeline(name, metric, window, null, null, range, target);
    }

    private void add(SeriesSpec spec) {
        named.put(spec.name(), spec);
    }
}
