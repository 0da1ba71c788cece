package io.analytics.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.MetricValues;
import io.analytics.core.metric.Metric;
import io.analytics.query.Funnels;
import java.time.Instant;

/** The JSON the hub sends, the same document inside every protocol's framing. */
final class LiveJson {

    static final ObjectMapper JSON = new ObjectMapper();

    private LiveJson() {}

    static String update(LiveUpdate update) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "metrics_update");
        body.put("name", update.name());
        body.put("mode", update.isSnapshot() ? "snapshot" : "delta");
        body.set("data", data(update.value()));
        return write(body);
    }

    static String lagging(Outgoing.Lagging lagging) {
        return write(JSON.createObjectNode()
                .put("type", "lagging")
                .put("dropped", lagging.superseded())
                .put("dropped_total", lagging.total())
                .put("message", "this client reads more slowly than the series change; "
                        + lagging.superseded() + " updates were replaced by newer values, which follow as snapshots"));
    }

    static String error(String name, String message) {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        if (name != null) {
            body.put("name", name);
        }
        return write(body.put("message", message));
    }

    static String subscribed(String project, Iterable<String> names) {
        ObjectNode body = JSON.createObjectNode().put("type", "subscribed").put("project", project);
        ArrayNode list = body.putArray("names");
        names.forEach(list::add);
        return write(body);
    }

    static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JsonNode always serialises", e);
        }
    }

    private static ObjectNode data(LiveValue value) {
        if (value instanceof LiveValue.Timeline timeline) {
            return timeline(timeline);
        }
        if (value instanceof LiveValue.Ranking ranking) {
            return ranking(ranking);
        }
        if (value instanceof LiveValue.Funnel funnel) {
            return funnel(funnel);
        }
        return alerts((LiveValue.Alerts) value);
    }

    private static ObjectNode timeline(LiveValue.Timeline timeline) {
        SeriesSpec.Timeline spec = timeline.spec();
        ObjectNode data = header(spec.metric(), timeline.start(), timeline.end());
        data.put("window", spec.window().code());
        if (!spec.groupBy().isNone()) {
            data.put("group_by", spec.groupBy().name());
        }
        if (spec.eventType() != null) {
            data.put("event_type", spec.eventType());
        }
        MetricValues.put(data.putObject("summary"), summaryName(spec.metric()), spec.metric(), timeline.summary());
        if (spec.target() != null) {
            data.put("target", spec.target());
        }
        MetricValues.putSeries(data, spec.metric(), timeline.series());
        return data;
    }

    private static ObjectNode ranking(LiveValue.Ranking ranking) {
        SeriesSpec.Ranking spec = ranking.spec();
        ObjectNode data = header(spec.metric(), ranking.start(), ranking.end());
        data.put("group_by", spec.groupBy().name());
        ArrayNode list = data.putArray("entries");
        for (LiveValue.Ranking.Entry entry : ranking.entries()) {
            ObjectNode item = list.addObject().put("key", entry.key());
            value(item, spec.metric(), entry.value());
            item.put("count", entry.count());
        }
        return data;
    }

    /** The document of one group of {@code GET /api/v1/funnels}, with the funnel's range and definition. */
    private static ObjectNode funnel(LiveValue.Funnel funnel) {
        ObjectNode data = JSON.createObjectNode()
                .put("start_time", Instant.ofEpochMilli(funnel.start()).toString())
                .put("end_time", Instant.ofEpochMilli(funnel.end()).toString())
                .put("conversion_window", funnel.spec().conversionWindow().toString());
        Funnels.render(data, funnel.spec().steps(), funnel.result());
        return data;
    }

    private static ObjectNode alerts(LiveValue.Alerts alerts) {
        ObjectNode data = JSON.createObjectNode();
        ArrayNode list = data.putArray("alerts");
        for (Alert alert : alerts.active()) {
            list.addObject()
                    .put("rule", alert.rule())
                    .put("series", alert.series())
                    .put("condition", alert.condition().code())
                    .put("window_start", Instant.ofEpochMilli(alert.windowStart()).toString())
                    .put("value", alert.value())
                    .put("reference", alert.reference())
                    .put("message", alert.message());
        }
        return data;
    }

    private static ObjectNode header(Metric metric, long start, long end) {
        ObjectNode data = JSON.createObjectNode().put("metric", metric.code());
        data.put("start_time", Instant.ofEpochMilli(start).toString());
        data.put("end_time", Instant.ofEpochMilli(end).toString());
        if (metric.approximate()) {
            data.put("approximate", true);
        }
        return data;
    }

    private static String summaryName(Metric metric) {
        return switch (metric) {
            case EVENTS, ORDERS, REVENUE, LATE_EVENTS -> "total";
            case AVG_ORDER_VALUE -> "rolling_average";
            case UNIQUE_USERS, AMOUNT_PERCENTILES -> "latest";
        };
    }

    private static void value(ObjectNode node, Metric metric, double value) {
        MetricValues.put(node, "value", metric, value);
    }
}
