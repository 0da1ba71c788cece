package io.analytics.api;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.analytics.core.project.ProjectDirectory;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** JSON answers and API-key checks, the same for every endpoint. */
public final class ApiResponses {

    public static final String API_KEY_HEADER = "X-API-Key";
    /** Money is written as 19.99, never as 1.999E+1. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private ApiResponses() {}

    public static HttpResponse json(StatusCode status, JsonNode body) {
        try {
            return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("a JsonNode always serialises", e);
        }
    }

    public static HttpResponse error(StatusCode status, String message) {
        return json(status, JSON.createObjectNode().put("error", message));
    }

    public static CompletionStage<HttpResponse> done(HttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    /** Runs {@code action} for the project the key belongs to, or answers 401 saying what is wrong with the key. */
    public static CompletionStage<HttpResponse> forProject(ProjectDirectory projects, Optional<String> apiKey,
            Function<String, CompletionStage<HttpResponse>> action) {
        if (apiKey.isEmpty()) {
            return done(error(StatusCodes.UNAUTHORIZED, "missing " + API_KEY_HEADER + " header"));
        }
        return projects.projectForApiKey(apiKey.get())
                .map(action)
                .orElseGet(() -> done(error(StatusCodes.UNAUTHORIZED, "unknown API key")));
    }
}
