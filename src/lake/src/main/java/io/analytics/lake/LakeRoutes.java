package io.analytics.lake;

import static io.analytics.api.ApiResponses.done;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.lake.archive.Archiver;
import io.analytics.lake.archive.ArchiverStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/v1/admin/lake}: the archiver's lag and totals (404 when this node does not archive). */
public final class LakeRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectDirectory projects;
    private final Optional<Archiver> archiver;

    public LakeRoutes(ProjectDirectory projects, Optional<Archiver> archiver) {
        this.projects = projects;
        this.archiver = archiver;
    }

    public Route route() {
        return path(segment("api").slash("v1").slash("admin").slash("lake"), () -> get(() ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key ->
                        completeWithFuture(status(key)))));
    }

    private CompletionStage<HttpResponse> status(Optional<String> key) {
        return ApiResponses.forProject(projects, key, project -> done(archiver
                .map(a -> json(StatusCodes.OK, render(a.status())))
                .orElseGet(() -> error(StatusCodes.NOT_FOUND, "the archiver is disabled on this node (analytics.lake.archiver.enabled)"))));
    }

    private static ObjectNode render(ArchiverStatus status) {
        ObjectNode body = JSON.createObjectNode()
                .put("consumer_group", status.consumerGroup())
                .put("store", status.store())
                .put("lag_records", status.lagRecords())
                .put("archived_records", status.archivedRecords())
                .put("malformed_records", status.malformedRecords())
                .put("files", status.files())
                .put("bytes", status.bytes());
        ObjectNode lag = body.putObject("lag_by_partition");
        status.lagByPartition().forEach((partition, records) -> lag.put(Integer.toString(partition), records));
        if (status.lastUploadAt() > 0) {
            body.put("last_upload_at", Instant.ofEpochMilli(status.lastUploadAt()).toString());
        }
        if (status.lastError() != null) {
            body.put("last_error", status.lastError());
        }
        return body;
    }
}
