package io.analytics.query;

import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.api.ApiResponses;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.projections.OrderViews;
import io.analytics.projections.ProjectionLag;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The read models of orders (the query side of CQRS), under {@code /api/v1/views}: orders by id and
 * by user, hourly and daily order stats, product sales, inventory, and projection lag. They are
 * eventually consistent with the write side; {@code GET /api/v1/orders/{id}} reads the entity itself.
 */
public final class ReadModelRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> GRANULARITIES = Set.of("hour", "day");

    private final ProjectDirectory projects;
    private final OrderViews views;
    private final List<ProjectionLag> lags;
    private final Executor blocking;

    public ReadModelRoutes(ProjectDirectory projects, OrderViews views, List<ProjectionLag> lags, Executor blocking) {
        this.projects = projects;
        this.views = views;
        this.lags = lags;
        this.blocking = blocking;
    }

    public Route route() {
        return pathPrefix(segment("api").slash("v1").slash("views"), () -> get(() ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key -> parameterMap(params -> concat(
                        path(segment("orders").slash(segment()), id -> answer(key, project ->
                                views.order(project, id).<JsonNode>map(o -> o).orElse(null))),
                        path(segment("users").slash(segment()).slash("orders"), user -> answer(key, project ->
                                JSON.createObjectNode().put("user_id", user).set("orders", views.ordersOfUser(project, user)))),
                        path("order-stats", () -> answer(key, project -> {
                            String granularity = granularity(params, GRANULARITIES, "hour");
                            return JSON.createObjectNode().put("granularity", granularity)
                                    .set("buckets", views.stats(project, granularity, from(params), to(params)));
                        })),
                        path("product-sales", () -> answer(key, project -> {
                            String granularity = granularity(params, Set.of("all", "hour", "day"), "all");
                            return JSON.createObjectNode().put("granularity", granularity)
                                    .set("products", views.productSales(project, granularity, from(params), to(params)));
                        })),
                        path("inventory", () -> answer(key, project ->
                                JSON.createObjectNode().set("products", views.inventory(project)))),
                        path("lag", () -> answer(key, project -> lag())))))));
    }

    private interface Query {
        JsonNode run(String project) throws SQLException;
    }

    private Route answer(Optional<String> key, Query query) {
        return completeWithFuture(ApiResponses.forProject(projects, key, project -> run(() -> query.run(project))));
    }

    private CompletionStage<HttpResponse> run(SqlCall call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                JsonNode body = call.call();
                return body == null ? error(StatusCodes.NOT_FOUND, "not found") : json(StatusCodes.OK, body);
            } catch (IllegalArgumentException e) {
                return error(StatusCodes.BAD_REQUEST, e.getMessage());
            } catch (SQLException e) {
                return error(StatusCodes.SERVICE_UNAVAILABLE, "read models are unavailable: " + e.getMessage());
            }
        }, blocking);
    }

    private interface SqlCall {
        JsonNode call() throws SQLException;
    }

    private JsonNode lag() {
        var body = JSON.createArrayNode();
        for (ProjectionLag lag : lags) {
            var item = body.addObject().put("projection", lag.name()).put("events_handled", lag.eventsHandled());
            if (lag.lagMillis() >= 0) {
                item.put("lag_ms", lag.lagMillis())
                        .put("last_event_written_at", Instant.ofEpochMilli(lag.lastEventWrittenAt()).toString());
            }
        }
        return JSON.createObjectNode().set("projections", body);
    }

    private static String granularity(Map<String, String> params, Set<String> allowed, String fallback) {
        String granularity = params.getOrDefault("granularity", fallback);
        if (!allowed.contains(granularity)) {
            throw new IllegalArgumentException("granularity: must be one of " + String.join(", ", allowed.stream().sorted().toList()));
        }
        return granularity;
    }

    private static long from(Map<String, String> params) {
        return params.containsKey("start_time") ? time("start_time", params.get("start_time")) : 0;
    }

    private static long to(Map<String, String> params) {
        return params.containsKey("end_time") ? time("end_time", params.get("end_time")) : Long.MAX_VALUE;
    }

    private static long time(String name, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": must be ISO-8601 with an offset, such as 2026-02-16T10:00:00Z");
        }
    }
}
