package io.analytics.lake;

import static io.analytics.api.ApiResponses.done;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.lake.archive.Archiver;
import io.analytics.lake.archive.ArchiverStatus;
import io.analytics.lake.batch.BatchRecompute;
import io.analytics.lake.batch.LakeJob;
import io.analytics.lake.batch.Reconciliation;
import io.analytics.lake.batch.Replay;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Operating the lake, for {@code ./analytics batch}, {@code replay} and {@code reconcile}:
 * {@code GET /api/v1/admin/lake} (archiver lag and totals), {@code POST /api/v1/admin/batch?from=&to=}
 * (recompute days, both included) and {@code POST /api/v1/admin/replay?from=&to=} (re-feed them into
 * the replay topic), {@code GET} on either (progress), and
 * {@code GET /api/v1/admin/reconcile?date=} (live against batch per hour of the key's project).
 */
public final class LakeRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectDirectory projects;
    private final Optional<Archiver> archiver;
    private final Map<String, LakeJob> jobs;
    private final Reconciliation reconciliation;
    private final Executor blocking;

    public LakeRoutes(ProjectDirectory projects, Optional<Archiver> archiver, BatchRecompute batch, Replay replay,
            Reconciliation reconciliation, Executor blocking) {
        this.projects = projects;
        this.archiver = archiver;
        this.jobs = Map.of("batch", batch, "replay", replay);
        this.reconciliation = reconciliation;
        this.blocking = blocking;
    }

    public Route route() {
        return pathPrefix(segment("api").slash("v1").slash("admin"), () ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key -> concat(
                        path("lake", () -> get(() -> completeWithFuture(authorized(key, project -> done(archiverStatus()))))),
                        path(segment(), name -> jobs.containsKey(name) ? concat(
                                post(() -> parameterMap(params -> completeWithFuture(authorized(key, project ->
                                        done(start(jobs.get(name), params)))))),
                                get(() -> completeWithFuture(authorized(key, project ->
                                        done(json(StatusCodes.OK, render(jobs.get(name), jobs.get(name).progress()))))))) : reject()),
                        path("reconcile", () -> get(() -> parameterMap(params ->
                                completeWithFuture(authorized(key, project -> reconcile(project, params)))))))));
    }

    private CompletionStage<HttpResponse> authorized(Optional<String> key,
            java.util.function.Function<String, CompletionStage<HttpResponse>> action) {
        return ApiResponses.forProject(projects, key, action);
    }

    private HttpResponse archiverStatus() {
        return archiver.map(a -> json(StatusCodes.OK, render(a.status())))
                .orElseGet(() -> error(StatusCodes.NOT_FOUND, "the archiver is disabled on this node (analytics.lake.archiver.enabled)"));
    }

    private HttpResponse start(LakeJob job, Map<String, String> params) {
        try {
            return json(StatusCodes.ACCEPTED, render(job, job.start(date(params, "from"), date(params, "to"))));
        } catch (IllegalArgumentException e) {
            return error(StatusCodes.BAD_REQUEST, e.getMessage());
        } catch (IllegalStateException e) {
            return error(StatusCodes.CONFLICT, e.getMessage());
        }
    }

    private CompletionStage<HttpResponse> reconcile(String project, Map<String, String> params) {
        LocalDate date;
        try {
            date = date(params, "date");
        } catch (IllegalArgumentException e) {
            return done(error(StatusCodes.BAD_REQUEST, e.getMessage()));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return json(StatusCodes.OK, render(project, date, reconciliation.report(project, date)));
            } catch (IllegalStateException e) {
                return error(StatusCodes.CONFLICT, e.getMessage());
            } catch (Exception e) {
                return error(StatusCodes.SERVICE_UNAVAILABLE, "cannot reconcile " + date + ": " + e.getMessage());
            }
        }, blocking);
    }

    private static LocalDate date(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + ": is required (a UTC date, 2026-02-16)");
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": must be a date like 2026-02-16, got '" + value + "'");
        }
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

    private static ObjectNode render(LakeJob job, LakeJob.Progress progress) {
        ObjectNode body = JSON.createObjectNode()
                .put("state", progress.state())
                .put("total", progress.totalFiles())
                .put("applied", progress.files())
                .put("events", progress.events());
        if (progress.from() != null) {
            body.put("from", progress.from().toString()).put("to", progress.to().toString());
        }
        if (job instanceof Replay replay) {
            body.put("topic", replay.topic());
        }
        if (progress.finishedAt() > 0) {
            body.put("seconds", (progress.finishedAt() - progress.startedAt()) / 1000.0);
        }
        if (progress.error() != null) {
            body.put("error", progress.error());
        }
        return body;
    }

    private static ObjectNode render(String project, LocalDate date, List<Reconciliation.Row> rows) {
        ObjectNode body = JSON.createObjectNode().put("project", project).put("date", date.toString())
                .put("metric", "events").put("window", "1h");
        ArrayNode windows = body.putArray("windows");
        for (Reconciliation.Row row : rows) {
            windows.addObject()
                    .put("window_start", Instant.ofEpochMilli(row.windowStart()).toString())
                    .put("live", row.live())
                    .put("batch", row.batch())
                    .put("difference", row.difference())
                    .put("late_events", row.lateEvents())
                    .put("explained", row.explained());
        }
        return body;
    }
}
