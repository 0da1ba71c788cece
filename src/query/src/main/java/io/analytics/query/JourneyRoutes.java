package io.analytics.query;

import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.core.journey.Funnel;
import io.analytics.core.journey.Session;
import io.analytics.core.journey.Sessions;
import io.analytics.core.journey.UserEvent;
import io.analytics.journeys.UserEventStore;
import io.analytics.core.project.ProjectDirectory;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Sessions and funnels, computed from the recorded user events of the query's range:
 * {@code GET /api/v1/sessions?start_time=&end_time=|last=[&group_by=]} (sessions started, average
 * duration, bounce rate and pages per session by UTC day) and
 * {@code GET /api/v1/funnels?steps=a,b,c&conversion_window=1h&start_time=&end_time=|last=[&group_by=]}
 * (users per step, conversion per step and overall, median time to convert).
 */
public final class JourneyRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<String> NULLS_LAST = Comparator.nullsLast(Comparator.naturalOrder());

    private final ProjectDirectory projects;
    private final UserEventStore store;
    private final Funnels funnels;
    private final Duration sessionGap;
    private final Set<String> dimensions;
    private final Executor blocking;
    private final Clock clock;

    public JourneyRoutes(ProjectDirectory projects, UserEventStore store, Duration sessionGap, List<String> dimensions,
            Executor blocking, Clock clock) {
        this.projects = projects;
        this.store = store;
        this.funnels = new Funnels(store);
        this.sessionGap = sessionGap;
        this.dimensions = Set.copyOf(dimensions);
        this.blocking = blocking;
        this.clock = clock;
    }

    public Route route() {
        return pathPrefix(segment("api").slash("v1"), () -> get(() ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key -> parameterMap(params -> concat(
                        path("sessions", () -> completeWithFuture(answer(key, project -> sessions(project, params)))),
                        path("funnels", () -> completeWithFuture(answer(key, project -> funnel(project, params)))))))));
    }

    private interface Query {
        ObjectNode run(String project) throws SQLException;
    }

    private CompletionStage<HttpResponse> answer(Optional<String> key, Query query) {
        return ApiResponses.forProject(projects, key, project -> CompletableFuture.supplyAsync(() -> {
            try {
                return json(StatusCodes.OK, query.run(project));
            } catch (IllegalArgumentException | UserEventStore.RangeTooLargeException e) {
                return error(StatusCodes.BAD_REQUEST, e.getMessage());
            } catch (SQLException e) {
                return error(StatusCodes.SERVICE_UNAVAILABLE, "user events are unavailable: " + e.getMessage());
            }
        }, blocking)).exceptionally(e -> error(StatusCodes.INTERNAL_SERVER_ERROR, QueryParams.rootMessage(e)));
    }

    private ObjectNode sessions(String project, Map<String, String> params) throws SQLException {
        QueryParams.Range range = QueryParams.range(params, clock);
        String groupBy = QueryParams.dimension("group_by", params.get("group_by"), dimensions);
        long gap = sessionGap.toMillis();
        List<Session> sessions = new ArrayList<>();
        for (List<UserEvent> events : store.eventsByUser(project, range.start() - gap, range.end()).values()) {
            sessions.addAll(Sessions.of(events, gap, range.start(), range.end()));
        }
        ObjectNode body = JSON.createObjectNode().put("session_gap", sessionGap.toString());
        putRange(body, range);
        if (groupBy != null) {
            body.put("group_by", groupBy);
        }
        ArrayNode series = body.putArray("series");
        Map<String, TreeMap<LocalDate, Sessions.Summary>> groups = Sessions.byDay(sessions, groupBy == null ? "" : groupBy);
        groups.keySet().stream().sorted(NULLS_LAST).forEach(key -> {
            ObjectNode group = series.addObject();
            group.put("key", key);
            ArrayNode points = group.putArray("points");
            groups.get(key).forEach((day, summary) -> points.addObject()
                    .put("day", day.toString())
                    .put("sessions", summary.sessions())
                    .put("avg_duration_s", summary.averageDurationSeconds())
                    .put("bounce_rate", summary.bounceRate())
                    .put("pages_per_session", summary.pagesPerSession()));
        });
        return body;
    }

    private ObjectNode funnel(String project, Map<String, String> params) throws SQLException {
        String stepList = params.get("steps");
        if (stepList == null || stepList.isBlank()) {
            throw new IllegalArgumentException("steps: required, a comma-separated list of event types (page_view,purchase_completed)");
        }
        List<String> steps = Arrays.stream(stepList.split(",")).map(String::trim).toList();
        if (steps.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("steps: an empty step in '" + stepList + "'");
        }
        Duration window = params.containsKey("conversion_window")
                ? QueryParams.duration("conversion_window", params.get("conversion_window"))
                : Funnels.DEFAULT_CONVERSION_WINDOW;
        QueryParams.Range range = QueryParams.range(params, clock);
        String groupBy = QueryParams.dimension("group_by", params.get("group_by"), dimensions);
        Map<String, Funnel.Result> groups = funnels.evaluate(project, new Funnel(steps, window.toMillis()),
                range.start(), range.end(), groupBy == null ? "" : groupBy);

        ObjectNode body = JSON.createObjectNode().put("conversion_window", window.toString());
        putRange(body, range);
        if (groupBy != null) {
            body.put("group_by", groupBy);
        }
        body.set("steps", JSON.valueToTree(steps));
        ArrayNode results = body.putArray("groups");
        groups.keySet().stream().sorted(NULLS_LAST).forEach(key -> Funnels.render(results.addObject().put("key", key), steps, groups.get(key)));
        return body;
    }

    private static void putRange(ObjectNode body, QueryParams.Range range) {
        body.put("start_time", Instant.ofEpochMilli(range.start()).toString())
                .put("end_time", Instant.ofEpochMilli(range.end()).toString());
    }
}
