package io.analytics.bench;

import static io.analytics.bench.BenchUtil.round;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Times a read-model rebuild on a running node, for {@code bench/orders.sh}.
 *
 * <ul>
 *   <li>{@code --catch-up N}: first waits until the live projection has handled at least N events
 *       ({@code GET /api/v1/views/lag}, {@code events_handled} of {@code --projection}), so the rebuild
 *       does not compete with a projection still working through a backlog;</li>
 *   <li>{@code --rebuild}: then starts the rebuild ({@code POST /api/v1/admin/projections/{name}/rebuild})
 *       and polls the same path with GET until {@code state} is {@code done} or {@code failed}.</li>
 * </ul>
 *
 * <p>Writes {@code --out} JSON with {@code catch_up} and {@code rebuild} objects (see bench/README.md).
 * Exit codes: 0 reached / done, 1 timed out, failed or unreachable, 2 bad flags.
 */
public final class RebuildTimer {

    private static final ObjectMapper MAPPER = BenchUtil.MAPPER;

    private RebuildTimer() {}

    static final class Flags {
        URI url = URI.create("http://127.0.0.1:8080");
        String apiKey;
        String projection = "orders";
        long catchUp = -1;
        boolean rebuild;
        long timeoutMillis = 600_000;
        long pollMillis = 250;
        Path out;
        boolean quiet;
    }

    public static void main(String[] args) {
        BenchUtil.main(RebuildTimer::run, args, null);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws InterruptedException {
        Flags f = new Flags();
        f.apiKey = env.get("ANALYTICS_DEMO_API_KEY");
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--rebuild" -> f.rebuild = true;
                    case "--quiet" -> f.quiet = true;
                    case "--url", "--api-key", "--projection", "--catch-up", "--timeout", "--poll-interval", "--out" -> {
                        if (i + 1 >= args.length) {
                            throw new Options.BadFlagException(a + " needs a value");
                        }
                        String v = args[++i];
                        switch (a) {
                            case "--url" -> f.url = Options.parseUrl(v);
                            case "--api-key" -> f.apiKey = v;
                            case "--projection" -> f.projection = v;
                            case "--catch-up" -> f.catchUp = Options.parseLong("catch-up", v, 0, Long.MAX_VALUE / 4);
                            case "--timeout" -> f.timeoutMillis = Options.parseDuration("timeout", v, 1, 86_400_000L);
                            case "--poll-interval" -> f.pollMillis = Options.parseDuration("poll-interval", v, 10, 60_000);
                            default -> f.out = Path.of(v);
                        }
                    }
                    default -> throw new Options.BadFlagException("unknown flag " + a
                            + "; usage: RebuildTimer --url URL --api-key KEY [--projection orders] [--catch-up N] [--rebuild]"
                            + " [--timeout D] [--poll-interval D] [--out FILE] [--quiet]");
                }
            }
            if (f.apiKey == null || f.apiKey.isBlank()) {
                throw new Options.BadFlagException("no API key: pass --api-key KEY or set ANALYTICS_DEMO_API_KEY");
            }
            if (f.catchUp < 0 && !f.rebuild) {
                throw new Options.BadFlagException("nothing to do: give --catch-up N and/or --rebuild");
            }
        } catch (Options.BadFlagException e) {
            err.println("rebuild-timer: " + e.getMessage());
            return 2;
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        ObjectNode result = MAPPER.createObjectNode().put("projection", f.projection);
        int code = 0;
        if (f.catchUp >= 0) {
            ObjectNode c = catchUp(f, http, out);
            result.set("catch_up", c);
            if (!c.get("reached").asBoolean()) {
                code = 1;
            }
        }
        if (code == 0 && f.rebuild) {
            ObjectNode r = rebuild(f, http, out);
            result.set("rebuild", r);
            if (!"done".equals(r.path("state").asText())) {
                code = 1;
            }
        }
        if (f.out != null && !BenchUtil.writeResult(f.out, result, "rebuild-timer", err)) {
            return 1;
        }
        return code;
    }

    private static ObjectNode catchUp(Flags f, HttpClient http, PrintStream out) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + f.timeoutMillis * 1_000_000L;
        long handled = -1;
        long lagMs = -1;
        String lastError = null;
        long nextPrint = start + 5_000_000_000L;
        boolean reached = false;
        while (true) {
            try {
                JsonNode body = get(http, f, URI.create(f.url + "/api/v1/views/lag"));
                for (JsonNode p : body.path("projections")) {
                    if (f.projection.equals(p.path("projection").asText())) {
                        handled = p.path("events_handled").asLong(-1);
                        lagMs = p.path("lag_ms").asLong(-1);
                    }
                }
            } catch (IOException e) {
                lastError = ApiClient.describe(e);
            }
            if (handled >= f.catchUp) {
                reached = true;
                break;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                break;
            }
            if (!f.quiet && now - nextPrint >= 0) {
                out.printf(Locale.ROOT, "rebuild-timer: waiting for projection %s: %,d of %,d events handled (lag of the last %d ms)%n",
                        f.projection, Math.max(0, handled), f.catchUp, lagMs);
                nextPrint = now + 5_000_000_000L;
            }
            Thread.sleep(Math.min(f.pollMillis * 4, 1000));
        }
        double waited = (System.nanoTime() - start) / 1e9;
        ObjectNode c = MAPPER.createObjectNode()
                .put("expected", f.catchUp)
                .put("events_handled", handled)
                .put("reached", reached)
                .put("waited_s", round(waited, 3));
        if (lastError != null) {
            c.put("last_error", lastError);
        }
        if (!f.quiet) {
            out.printf(Locale.ROOT, "rebuild-timer: projection %s %s %,d events handled after %.1f s%n", f.projection,
                    reached ? "caught up:" : "did NOT catch up within the timeout:", Math.max(0, handled), waited);
        }
        return c;
    }

    private static ObjectNode rebuild(Flags f, HttpClient http, PrintStream out) throws InterruptedException {
        URI uri = URI.create(f.url + "/api/v1/admin/projections/" + f.projection + "/rebuild");
        ObjectNode r = MAPPER.createObjectNode();
        long start = System.nanoTime();
        long deadline = start + f.timeoutMillis * 1_000_000L;
        JsonNode progress;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("X-API-Key", f.apiKey).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            r.put("start_status", response.statusCode());
            progress = MAPPER.readTree(response.body());
            if (response.statusCode() != 202 || !progress.has("state")) {
                r.put("state", "not-started");
                r.put("error", "POST answered " + response.statusCode() + ": " + ApiClient.abbreviate(response.body(), 300));
                return r;
            }
        } catch (IOException e) {
            r.put("state", "not-started");
            r.put("error", ApiClient.describe(e));
            return r;
        }
        long polls = 0;
        long pollErrors = 0;
        long nextPrint = start + 5_000_000_000L;
        long doneAt;
        while (true) {
            String state = progress.path("state").asText();
            // Anything but the end states counts as running (the node names its phases: building, writing,
            // catching-up, swapping, ...).
            if (state.equals("done") || state.equals("failed") || state.equals("idle") || state.isEmpty()) {
                doneAt = System.nanoTime();
                break;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                doneAt = now;
                r.put("timed_out", true);
                break;
            }
            if (!f.quiet && now - nextPrint >= 0) {
                double s = (now - start) / 1e9;
                long applied = progress.path("applied").asLong();
                out.printf(Locale.ROOT, "rebuild-timer: %s %,d/%,d events (%.0f s, %,.0f events/s)%n", state, applied,
                        progress.path("total").asLong(), s, applied / Math.max(1e-9, s));
                nextPrint = now + 5_000_000_000L;
            }
            Thread.sleep(f.pollMillis);
            try {
                progress = get(http, f, uri);
                polls++;
            } catch (IOException e) {
                pollErrors++;
                r.put("last_poll_error", ApiClient.describe(e));
            }
        }
        double clientS = (doneAt - start) / 1e9;
        String state = progress.path("state").asText();
        long applied = progress.path("applied").asLong();
        r.put("state", r.has("timed_out") ? "timed-out (last: " + state + ")" : state);
        r.put("total", progress.path("total").asLong());
        r.put("applied", applied);
        if (progress.hasNonNull("error")) {
            r.put("error", progress.get("error").asText());
        }
        Double serverS = null;
        if (progress.hasNonNull("started_at") && progress.hasNonNull("finished_at")) {
            r.put("started_at", progress.get("started_at").asText());
            r.put("finished_at", progress.get("finished_at").asText());
            try {
                serverS = (Instant.parse(progress.get("finished_at").asText()).toEpochMilli()
                        - Instant.parse(progress.get("started_at").asText()).toEpochMilli()) / 1000.0;
            } catch (RuntimeException e) {
                serverS = null;
            }
        }
        r.put("client_s", round(clientS, 3));
        if (serverS != null) {
            r.put("server_s", serverS);
        } else {
            r.putNull("server_s");
        }
        double seconds = serverS != null && serverS > 0 ? serverS : clientS;
        r.put("seconds", round(seconds, 3));
        r.put("events_per_s", round(applied / Math.max(1e-9, seconds), 1));
        r.put("polls", polls);
        r.put("poll_errors", pollErrors);
        if (!f.quiet) {
            out.printf(Locale.ROOT, "rebuild-timer: rebuild %s: %,d events applied in %.2f s (%,.0f events/s)%s%n",
                    r.get("state").asText(), applied, seconds, applied / Math.max(1e-9, seconds),
                    r.has("error") ? "; error: " + r.get("error").asText() : "");
        }
        return r;
    }

    private static JsonNode get(HttpClient http, Flags f, URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", f.apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new ApiClient.HttpStatusException(response.statusCode(), response.body());
        }
        return MAPPER.readTree(response.body());
    }

}
