package io.analytics.ingest;

import static io.analytics.api.ApiResponses.done;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.ops.TraceIds;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.util.ByteString;

/** {@code POST /api/v1/events}: the public ingest endpoint (see API.md for the contract). */
public final class IngestRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Limits of one request. */
    public record Settings(int maxBatchEvents, long maxBodyBytes) {}

    private final ProjectDirectory projects;
    private final EventIngest ingest;
    private final ProjectRateLimiter rateLimiter;
    private final Settings settings;

    public IngestRoutes(ProjectDirectory projects, EventIngest ingest, ProjectRateLimiter rateLimiter, Settings settings) {
        this.projects = projects;
        this.ingest = ingest;
        this.rateLimiter = rateLimiter;
        this.settings = settings;
    }

    public Route route() {
        ExceptionHandler tooLarge = ExceptionHandler.newBuilder()
                .match(EntityStreamSizeException.class, e -> complete(error(StatusCodes.PAYLOAD_TOO_LARGE,
                        "body is larger than " + settings.maxBodyBytes() + " bytes")))
                .build();
        return path(segment("api").slash("v1").slash("events"), () -> post(() ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key -> handleExceptions(tooLarge, () ->
                        optionalHeaderValueByName(TraceIds.TRACEPARENT, traceparent -> {
                            String traceId = TraceIds.fromTraceparent(traceparent);
                            return respondWithHeader(RawHeader.create(TraceIds.HTTP_HEADER, traceId), () ->
                                    withSizeLimit(settings.maxBodyBytes(), () -> entity(Unmarshaller.entityToByteString(),
                                            body -> completeWithFuture(ingest(key, body, traceId)))));
                        })))));
    }

    private CompletionStage<HttpResponse> ingest(Optional<String> apiKey, ByteString body, String traceId) {
        return ApiResponses.forProject(projects, apiKey, project -> ingest(project, body, traceId));
    }

    private CompletionStage<HttpResponse> ingest(String project, ByteString body, String traceId) {
        JsonNode root;
        try {
            root = JSON.readTree(body.toArrayUnsafe());
        } catch (IOException e) {
            return done(error(StatusCodes.BAD_REQUEST, "body is not valid JSON: " + e.getMessage().lines().findFirst().orElse("")));
        }
        List<JsonNode> events = new ArrayList<>();
        if (root instanceof ArrayNode array) {
            array.forEach(events::add);
        } else if (root instanceof ObjectNode object) {
            events.add(object);
        } else {
            return done(error(StatusCodes.BAD_REQUEST, "body must be one event object or a JSON array of events"));
        }
        if (events.size() > settings.maxBatchEvents()) {
            return done(error(StatusCodes.PAYLOAD_TOO_LARGE,
                    "batch has " + events.size() + " events; at most " + settings.maxBatchEvents() + " per request"));
        }
        if (!rateLimiter.tryAcquire(project, events.size())) {
            return done(error(StatusCodes.TOO_MANY_REQUESTS, "project " + project + " is over its rate limit")
                    .addHeader(RetryAfter.create(1L)));
        }
        return accept(project, events, traceId);
    }

    private CompletionStage<HttpResponse> accept(String project, List<JsonNode> events, String traceId) {
        return ingest.accept(project, events, traceId).thenApply(outcome -> {
            if (outcome instanceof EventIngest.Accepted accepted) {
                return json(StatusCodes.ACCEPTED, accepted.batch().answer(accepted.accepted(), accepted.duplicates()));
            }
            EventIngest.Unavailable unavailable = (EventIngest.Unavailable) outcome;
            return error(StatusCodes.SERVICE_UNAVAILABLE, "the event log is unavailable; " + unavailable.lost() + " of "
                    + unavailable.attempted() + " events were not stored. Retry the request: events already stored "
                    + "will be reported as duplicates").addHeader(RetryAfter.create(1L));
        });
    }

}
