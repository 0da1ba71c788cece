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
import io.analytics.core.metric.TopRanking;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.core.window.WindowSize;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/top?metric=&dimension=&k=10&last=1h} (or {@code start_time}/{@code end_time}): the
 * k values of a dimension with the highest total of a configured ranking (purchases, views, ...) over
 * the windows starting in the range. Exact: ranked from the same cells as the metrics, with the
 * coarsest stored window size the range is aligned to.
 */
public final class TopRoutes extends AllDirectives {

    /** A configured ranking: {@code purchases} = metric {@code events} of event type {@code purchase_completed}. */
    public record Ranking(String name, Metric metric, String eventType) {
        public Ranking {
            if (!metric.additive()) {
                throw new IllegalArgumentException("top ranking " + name + ": metric " + metric.code()
                        + " does not add up over windows; use one of events, orders, revenue, late_events");
            }
        }
    }

    public static final int MAX_K = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectDirectory projects;
    private final MetricsService service;
    private final Map<String, Ranking> rankings;
    private final Set<String> dimensions;
    private final Clock clock;

    public TopRoutes(ProjectDirectory projects, MetricsService service, List<Ranking> rankings, List<String> dimensions,
            Clock clock) {
        this.projects = projects;
        this.service = service;
        this.rankings = rankings.stream().collect(Collectors.toUnmodifiableMap(Ranking::name, r -> r));
        this.dimensions = Set.copyOf(dimensions);
        this.clock = clock;
    }

    public Route route() {
        return path(segment("api").slash("v1").slash("top"), () -> get(() ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key ->
                        parameterMap(params -> completeWithFuture(answer(key, params))))));
    }

    private CompletionStage<HttpResponse> answer(Optional<String> apiKey, Map<String, String> params) {
        return ApiResponses.forProject(projects, apiKey, project -> answer(project, params));
    }

    private record TopQuery(Ranking ranking, MetricQuery cells, int k) {}

    private CompletionStage<HttpResponse> answer(String project, Map<String, String> params) {
        TopQuery top;
        try {
            top = parse(project, params);
        } catch (IllegalArgumentException e) {
            return done(error(StatusCodes.BAD_REQUEST, e.getMessage()));
        }
        return service.query(top.cells())
                .thenApply(answer -> json(StatusCodes.OK, render(top, answer)))
                .exceptionally(e -> error(StatusCodes.SERVICE_UNAVAILABLE,
                        "top-k is unavailable: " + QueryParams.rootMessage(e)));
    }

    private TopQuery parse(String project, Map<String, String> params) {
        Ranking ranking = rankings.get(params.get("metric"));
        if (ranking == null) {
            throw new IllegalArgumentException("metric: must be one of " + String.join(", ", rankings.keySet().stream().sorted().toList())
                    + ", got '" + params.get("metric") + "' (rankings are configured in analytics.top.rankings)");
        }
        String dimension = QueryParams.dimension("dimension", params.get("dimension"), dimensions);
        if (dimension == null) {
            throw new IllegalArgumentException("dimension: is required (one of "
                    + String.join(", ", dimensions.stream().sorted().toList()) + ")");
        }
        int k = k(params.getOrDefault("k", "10"));
        QueryParams.Range range = QueryParams.range(params, clock);
        MetricQuery cells = new MetricQuery(project, ranking.metric(), alignedSize(range), range.start(), range.end(),
                new Dimension(dimension), ranking.eventType());
        return new TopQuery(ranking, cells, k);
    }

    private static int k(String text) {
        try {
            int k = Integer.parseInt(text);
            if (k >= 1 && k <= MAX_K) {
                return k;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("k: must be a whole number from 1 to " + MAX_K + ", got '" + text + "'");
    }

    /** The coarsest stored size both ends are aligned to: fewer cells, same totals. */
    private static WindowSize alignedSize(QueryParams.Range range) {
        WindowSize[] sizes = WindowSize.values();
        for (int i = sizes.length - 1; i > 0; i--) {
            if (range.start() % sizes[i].millis() == 0 && range.end() % sizes[i].millis() == 0) {
                return sizes[i];
            }
        }
        return WindowSize.ONE_MINUTE;
    }

    private static ObjectNode render(TopQuery top, MetricsService.Answer answer) {
        ObjectNode body = JSON.createObjectNode();
        body.put("metric", top.ranking().name());
        body.put("dimension", top.cells().groupBy().name());
        body.put("k", top.k());
        body.put("start_time", Instant.ofEpochMilli(top.cells().start()).toString());
        body.put("end_time", Instant.ofEpochMilli(top.cells().end()).toString());
        QueryParams.putWatermark(body, answer.watermark());
        body.put("final", top.cells().cellsTo() <= answer.watermark());
        ArrayNode items = body.putArray("items");
        for (TopRanking.Entry entry : TopRanking.rank(top.ranking().metric(), answer.series(), top.k())) {
            ObjectNode item = items.addObject().put("key", entry.key());
            if (top.ranking().metric() == Metric.REVENUE) {
                item.put("value", entry.value());
            } else {
                item.put("value", (long) entry.value());
            }
            item.put("count", entry.count());
        }
        return body;
    }
}
