package io.analytics.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code ./analytics projections rebuild <name> [--url URL] [--api-key KEY]}: asks a running node to
 * rebuild a read model from the journal and shows its progress (bar, rate, ETA) until it is done.
 */
public final class ProjectionsCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProjectionsCommand() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !args[0].equals("rebuild")) {
            System.err.println("usage: analytics projections rebuild <name> [--url http://127.0.0.1:8080] [--api-key KEY]");
            System.exit(2);
        }
        String url = "http://127.0.0.1:" + System.getenv().getOrDefault("ANALYTICS_PORT", "8080");
        String key = System.getenv("ANALYTICS_DEMO_API_KEY");
        for (int i = 2; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--api-key" -> key = args[i + 1];
                default -> {
                    System.err.println("analytics projections: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (key == null) {
            System.err.println("analytics projections: give --api-key or set ANALYTICS_DEMO_API_KEY");
            System.exit(2);
        }
        System.exit(rebuild(URI.create(url + "/api/v1/admin/projections/" + args[1] + "/rebuild"), key, System.err));
    }

    static int rebuild(URI uri, String key, PrintStream out) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        JsonNode progress;
        try {
            progress = call(http, HttpRequest.newBuilder(uri).header("X-API-Key", key).POST(HttpRequest.BodyPublishers.noBody()).build());
        } catch (ConnectException e) {
            out.println("analytics projections: no node answers at " + uri.getScheme() + "://" + uri.getAuthority());
            return 1;
        }
        if (progress.has("error") && !progress.has("state")) {
            out.println("analytics projections: " + progress.get("error").asText());
            return 1;
        }
        long started = System.nanoTime();
        while (isRunning(progress)) {
            out.print("\r" + ProgressBar.line(progress, (System.nanoTime() - started) / 1e9, "events"));
            Thread.sleep(250);
            progress = call(http, HttpRequest.newBuilder(uri).header("X-API-Key", key).GET().build());
        }
        out.println("\r" + ProgressBar.line(progress, (System.nanoTime() - started) / 1e9, "events"));
        if (!progress.get("state").asText().equals("done")) {
            out.println("analytics projections: rebuild " + progress.get("state").asText() + ": " + progress.path("error").asText());
            return 1;
        }
        out.printf("analytics projections: %s rebuilt from %,d events and swapped in%n", progress.get("projection").asText(),
                progress.get("applied").asLong());
        return 0;
    }

    private static boolean isRunning(JsonNode progress) {
        String state = progress.get("state").asText();
        return state.equals("building") || state.equals("writing") || state.equals("catching-up") || state.equals("swapping");
    }

    static JsonNode call(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
