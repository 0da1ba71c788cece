package io.analytics.query;

import static io.analytics.api.ApiResponses.done;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.core.window.WindowSize;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/metrics?metric=&window=&start_time=&end_time=[&group_by=][&event_type=]}.
 * {@code window} defaults to 1m, {@code end_time} to now and {@code start_time} to 24 hours before it.
 */
public final class MetricsRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectDirectory projects;
    private final MetricsService service;
    private final Set<String> dimensions;
    private final Clock clock;

    public MetricsRoutes(ProjectDirectory projects, MetricsService service, List<String> dimensions, Clock clock) {
        this.projects = projects;
        this.service = service;
        this.dimensions = Set.copyOf(dimensions);
        this.clock = clock;
    }

    public Route route() {
        return path(segment("api").slash("v1").slash("metrics"), () -> get(() ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key ->
                        parameterMap(params -> completeWithFuture(answer(key, params))))));
    }

    private CompletionStage<HttpResponse> answer(Optional<String> apiKey, Map<String, String> params) {
        return ApiResponses.forProject(projects, apiKey, project -> answer(project, params));
    }

    private CompletionStage<HttpResponse> answer(String project, Map<String, String> params) {
        MetricQuery query;
        try {
            query = parse(project, params);
        } catch (IllegalArgumentException e) {
            return done(error(StatusCodes.BAD_REQUEST, e.getMessage()));
        }
        return service.query(query)
                .thenApply(series -> json(StatusCodes.OK, render(query, series)))
                .exceptionally(e -> error(StatusCodes.SERVICE_UNAVAILABLE, "metrics are unavailable: " + rootMessage(e)));
    }

    private MetricQuery parse(String project, Map<String, String> params) {
        String metric = params.get("metric");
        if (metric == null) {
            throw new IllegalArgumentException("metric: is required (one of " + Metric.codes() + ")");
        }
        long end = params.containsKey("end_time") ? time("end_time", params.get("end_time")) : clock.millis();
        long start = params.containsKey("start_time")
                ? time("start_time", params.get("start_time"))
                : end - Duration.ofDays(1).toMillis();
        String groupBy = params.get("group_by");
        if (groupBy != null && !dimensions.contains(groupBy)) {
            throw new IllegalArgumentException("group_by: '" + groupBy + "' is not a pre-aggregated dimension; "
                    + "configured: " + String.join(", ", dimensions.stream().sorted().toList())
                    + " (add it to analytics.metrics.dimensions)");
        }
        return new MetricQuery(project, Metric.fromCode(metric), WindowSize.fromCode(params.getOrDefault("window", "1m")),
                start, end, groupBy == null ? null : new Dimension(groupBy), params.get("event_type"));
    }

    private static long time(String name, String value) {
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(value);
            }
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(name + ": must be ISO-8601 with an offset (2026-02-16T10:00:00Z) or epoch milliseconds");
        }
    }

    private static ObjectNode render(MetricQuery query, List<MetricSeries> series) {
        ObjectNode body = JSON.createObjectNode();
        body.put("metric", query.metric().code());
        body.put("window", query.window().code());
        if (!query.groupBy().isNone()) {
            body.put("group_by", query.groupBy().name());
        }
        if (query.eventType() != null) {
            body.put("event_type", query.eventType());
        }
        body.put("start_time", Instant.ofEpochMilli(query.start()).toString());
        body.put("end_time", Instant.ofEpochMilli(query.end()).toString());
        boolean allExact = !series.isEmpty() && series.stream()
                .allMatch(s -> s.points().stream().allMatch(p -> p.layer() == MetricSeries.Layer.BATCH));
        if (query.metric().approximate() && !allExact) {
            body.put("approximate", true);
        }
        ArrayNode list = body.putArray("series");
        for (MetricSeries s : series) {
            ObjectNode item = list.addObject();
            item.put("key", s.key());
            ArrayNode points = item.putArray("points");
            for (MetricSeries.Point point : s.points()) {
                ObjectNode p = points.addObject();
                p.put("window_start", Instant.ofEpochMilli(point.windowStart()).toString());
                if (query.metric() == Metric.REVENUE || query.metric() == Metric.AVG_ORDER_VALUE) {
                    p.put("value", point.value());
                } else {
                    p.put("value", (long) point.value());
                }
                p.put("count", point.count());
                p.put("layer", point.layer().code());
            }
        }
        return body;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

}
