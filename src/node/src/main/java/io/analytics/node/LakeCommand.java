package io.analytics.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The launcher's batch-layer commands, run against a node (which holds the lake store and the
 * database): {@code ./analytics batch --from DATE --to DATE} recomputes the batch views of those UTC
 * days (both included) with a progress bar on stderr; {@code ./analytics replay --from DATE --to DATE}
 * re-feeds those days' archived events into the replay topic; {@code ./analytics reconcile --date DATE}
 * prints, per hour, the live and batch event counts and the late events that explain the difference.
 * Both take {@code --url URL} and {@code --api-key KEY} (defaults: port ANALYTICS_PORT, key ANALYTICS_DEMO_API_KEY).
 */
public final class LakeCommand {

    private static final String USAGE = "usage: analytics (batch|replay) --from 2026-02-16 --to 2026-02-17 | "
            + "analytics reconcile --date 2026-02-16   [--url http://127.0.0.1:8080] [--api-key KEY]";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String key;
    private final PrintStream out;
    private final PrintStream err;

    LakeCommand(String url, String key, PrintStream out, PrintStream err) {
        this.url = url;
        this.key = key;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                fail("analytics: bad option '" + args[i] + "'\n" + USAGE);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        String key = options.getOrDefault("api-key", System.getenv("ANALYTICS_DEMO_API_KEY"));
        if (args.length == 0 || key == null) {
            fail(key == null ? "analytics: give --api-key or set ANALYTICS_DEMO_API_KEY" : USAGE);
        }
        String url = options.getOrDefault("url", "http://127.0.0.1:" + System.getenv().getOrDefault("ANALYTICS_PORT", "8080"));
        LakeCommand command = new LakeCommand(url, key, System.out, System.err);
        try {
            System.exit(switch (args[0]) {
                case "batch", "replay" -> command.run(args[0], required(options, "from"), required(options, "to"));
                case "reconcile" -> command.reconcile(required(options, "date"));
                default -> fail(USAGE);
            });
        } catch (ConnectException e) {
            fail("analytics: no node answers at " + url);
        }
    }

    /** Starts a lake job on the node and follows it to the end. */
    int run(String job, String from, String to) throws IOException, InterruptedException {
        URI uri = URI.create(url + "/api/v1/admin/" + job);
        JsonNode progress = ProjectionsCommand.call(http, request(URI.create(uri + "?from=" + from + "&to=" + to))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        if (!progress.has("state")) {
            err.println("analytics " + job + ": " + progress.path("error").asText());
            return 1;
        }
        long started = System.nanoTime();
        while (progress.get("state").asText().equals("running")) {
            err.print("\r" + ProgressBar.line(progress, (System.nanoTime() - started) / 1e9, "files"));
            Thread.sleep(250);
            progress = ProjectionsCommand.call(http, request(uri).GET().build());
        }
        err.println("\r" + ProgressBar.line(progress, (System.nanoTime() - started) / 1e9, "files"));
        if (!progress.get("state").asText().equals("done")) {
            err.println("analytics " + job + ": " + progress.get("state").asText() + ": " + progress.path("error").asText());
            return 1;
        }
        out.printf("%s of %s to %s: %,d events from %,d files in %.1f s%s%n", job, from, to, progress.get("events").asLong(),
                progress.get("total").asLong(), progress.path("seconds").asDouble(),
                progress.has("topic") ? " into topic " + progress.get("topic").asText() : "");
        return 0;
    }

    int reconcile(String date) throws IOException, InterruptedException {
        JsonNode report = ProjectionsCommand.call(http, request(URI.create(url + "/api/v1/admin/reconcile?date=" + date)).GET().build());
        if (!report.has("windows")) {
            err.println("analytics reconcile: " + report.path("error").asText());
            return 1;
        }
        out.printf("%-22s %10s %10s %10s %12s  %s%n", "window (1h, UTC)", "live", "batch", "difference", "late events", "explanation");
        for (JsonNode row : report.get("windows")) {
            long difference = row.get("difference").asLong();
            String why = difference == 0 ? "equal"
                    : row.get("explained").asBoolean()
                            ? difference + " event(s) arrived after the live window had closed (later than the allowed lateness)"
                            : "NOT explained by late events (" + row.get("late_events").asLong() + " late)";
            out.printf("%-22s %10d %10d %10d %12d  %s%n", row.get("window_start").asText(), row.get("live").asLong(),
                    row.get("batch").asLong(), difference, row.get("late_events").asLong(), why);
        }
        return 0;
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).header("X-API-Key", key);
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            fail("analytics: --" + name + " is required\n" + USAGE);
        }
        return value;
    }

    private static int fail(String message) {
        System.err.println(message);
        System.exit(2);
        return 2;
    }
}
