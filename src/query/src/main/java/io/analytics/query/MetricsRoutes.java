package io.analytics.query;

import static io.analytics.api.ApiResponses.done;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.api.MetricValues;
import io.analytics.core.metric.AmountDistribution;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.core.window.WindowSpec;
import java.time.Clock;
import java.time.Instant;
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
 * {@code GET /api/v1/metrics?metric=&window=[&slide=]&start_time=&end_time=[&group_by=][&event_type=]}.
 * {@code window} defaults to 1m, {@code end_time} to now and {@code start_time} to 24 hours before it;
 * with {@code slide} the windows hop (window=5m&slide=1m). Every answer carries the stream's
 * watermark, and each point says whether its window is final (ends at or before it).
 */
public final class MetricsRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bounds the work and size of one answer. */
    private static final long MAX_POINTS = 100_000;

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
                .thenApply(answer -> json(StatusCodes.OK, render(query, answer)))
                .exceptionally(e -> error(StatusCodes.SERVICE_UNAVAILABLE,
                        "metrics are unavailable: " + QueryParams.rootMessage(e)));
    }

    private MetricQuery parse(String project, Map<String, String> params) {
        String metric = params.get("metric");
        if (metric == null) {
            throw new IllegalArgumentException("metric: is required (one of " + Metric.codes() + ")");
        }
        Metric parsed = Metric.fromCode(metric);
        QueryParams.Range range = QueryParams.range(params, clock);
        String groupBy = QueryParams.dimension("group_by", params.get("group_by"), dimensions);
        WindowSpec window = WindowSpec.parse(params.getOrDefault("window", "1m"), params.get("slide"));
        long points = (range.end() - range.start()) / window.slideMillis();
        if (points > MAX_POINTS) {
            throw new IllegalArgumentException("slide: " + window.slideCode() + " over this range gives " + points
                    + " windows per series; at most " + MAX_POINTS + " (narrow the range or lengthen the slide)");
        }
        return new MetricQuery(project, parsed, window, range.start(), range.end(),
                groupBy == null ? null : new Dimension(groupBy), params.get("event_type"));
    }

    private static ObjectNode render(MetricQuery query, MetricsService.Answer answer) {
        ObjectNode body = JSON.createObjectNode();
        body.put("metric", query.metric().code());
        body.put("window", query.window().sizeCode());
        if (query.window().sliding()) {
            body.put("slide", query.window().slideCode());
        }
        if (!query.groupBy().isNone()) {
            body.put("group_by", query.groupBy().name());
        }
        if (query.eventType() != null) {
            body.put("event_type", query.eventType());
        }
        body.put("start_time", Instant.ofEpochMilli(query.start()).toString());
        body.put("end_time", Instant.ofEpochMilli(query.end()).toString());
        QueryParams.putWatermark(body, answer.watermark());
        boolean allExact = !answer.series().isEmpty() && answer.series().stream()
                .allMatch(s -> s.points().stream().allMatch(p -> p.layer() == MetricSeries.Layer.BATCH));
        if (query.metric().approximate() && !allExact) {
            body.put("approximate", true);
        }
        if (query.metric() == Metric.AMOUNT_PERCENTILES) {
            body.put("rank_error", AmountDistribution.RANK_ERROR);
        }
        ArrayNode list = body.putArray("series");
        for (MetricSeries s : answer.series()) {
            ObjectNode item = list.addObject();
            item.put("key", s.key());
            ArrayNode points = item.putArray("points");
            for (MetricSeries.Point point : s.points()) {
                renderPoint(points.addObject(), query, point, answer.watermark());
            }
        }
        return body;
    }

    private static void renderPoint(ObjectNode p, MetricQuery query, MetricSeries.Point point, long watermark) {
        p.put("window_start", Instant.ofEpochMilli(point.windowStart()).toString());
        MetricValues.put(p, "value", query.metric(), point.value());
        p.put("count", point.count());
        if (point.percentiles() != null) {
            p.put("p50", point.percentiles().p50());
            p.put("p95", point.percentiles().p95());
            p.put("p99", point.percentiles().p99());
        }
        p.put("final", query.window().endOf(point.windowStart()) <= watermark);
        p.put("layer", point.layer().code());
    }
}
