package io.analytics.query;

import static io.analytics.api.ApiResponses.done;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.projections.OrderReadModelRebuild;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Operating projections: {@code POST /api/v1/admin/projections/{name}/rebuild} starts rebuilding a
 * read model from the journal, {@code GET} on the same path reports progress. Used by
 * {@code ./analytics projections rebuild <name>}.
 */
public final class ProjectionAdminRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectDirectory projects;
    private final Map<String, OrderReadModelRebuild> rebuilds;

    public ProjectionAdminRoutes(ProjectDirectory projects, Map<String, OrderReadModelRebuild> rebuilds) {
        this.projects = projects;
        this.rebuilds = rebuilds;
    }

    public Route route() {
        return path(segment("api").slash("v1").slash("admin").slash("projections").slash(segment()).slash("rebuild"), name ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key -> concat(
                        post(() -> completeWithFuture(answer(key, name, StatusCodes.ACCEPTED, rebuild -> rebuild::start))),
                        get(() -> completeWithFuture(answer(key, name, StatusCodes.OK, rebuild -> rebuild::progress))))));
    }

    private CompletionStage<HttpResponse> answer(Optional<String> key, String name, StatusCode status,
            java.util.function.Function<OrderReadModelRebuild, Supplier<OrderReadModelRebuild.Progress>> action) {
        return ApiResponses.forProject(projects, key, project -> {
            OrderReadModelRebuild rebuild = rebuilds.get(name);
            if (rebuild == null) {
                return done(error(StatusCodes.NOT_FOUND, "no projection '" + name + "' can be rebuilt; known: "
                        + String.join(", ", rebuilds.keySet())));
            }
            return done(json(status, render(name, action.apply(rebuild).get())));
        });
    }

    private static ObjectNode render(String name, OrderReadModelRebuild.Progress progress) {
        ObjectNode body = JSON.createObjectNode()
                .put("projection", name)
                .put("state", progress.state())
                .put("total", progress.total())
                .put("applied", progress.applied());
        if (progress.startedAt() > 0) {
            body.put("started_at", Instant.ofEpochMilli(progress.startedAt()).toString());
        }
        if (progress.finishedAt() > 0) {
            body.put("finished_at", Instant.ofEpochMilli(progress.finishedAt()).toString());
        }
        if (progress.error() != null) {
            body.put("error", progress.error());
        }
        return body;
    }
}
