package io.analytics.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** The public HTTP API as a client sees it. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, JsonNode body) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile List<String> baseUrls;
    private final AtomicInteger turn = new AtomicInteger();
    private final String apiKey;

    ApiClient(String baseUrl, String apiKey) {
        this.baseUrls = List.of(baseUrl);
        this.apiKey = apiKey;
    }

    void baseUrl(String url) {
        baseUrls(List.of(url));
    }

    /** Sends each request to the next of these nodes in turn, as a load balancer in front of a cluster does. */
    void baseUrls(List<String> urls) {
        this.baseUrls = List.copyOf(urls);
    }

    private String baseUrl() {
        List<String> urls = baseUrls;
        return urls.get(Math.floorMod(turn.getAndIncrement(), urls.size()));
    }

    Response post(String body) throws IOException, InterruptedException {
        return post(body, apiKey);
    }

    Response post(String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return send(request.build());
    }

    Response metrics(Map<String, String> params) throws IOException, InterruptedException {
        return get("/api/v1/metrics", params);
    }

    Response get(String path, Map<String, String> params) throws IOException, InterruptedException {
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path + "?" + query))
                .timeout(Duration.ofSeconds(30))
                .header("X-API-Key", apiKey)
                .GET()
                .build());
    }

    /** GET of any API path (with its query), with this client's key. */
    Response get(String pathAndQuery) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .header("X-API-Key", apiKey)
                .GET()
                .build());
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        return new Response(response.statusCode(), body);
    }
}
