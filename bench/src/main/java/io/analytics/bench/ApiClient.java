package io.analytics.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The two platform endpoints the load generator talks to, over one HTTP/1.1 client. */
final class ApiClient implements AutoCloseable {

    private static final JsonFactory JSON = JsonFactory.builder().build();
    static final int MAX_REJECTED_SAMPLES = 5;

    /** What one {@code POST /api/v1/events} came back with. {@code status} -1 means no HTTP answer. */
    record IngestResponse(int status, String statusKey, long accepted, long duplicates, long rejected,
                          List<String> rejectedSamples, String error) {
        boolean ok() {
            return status >= 200 && status < 300 && error == null;
        }
    }

    /** A metrics query answered with something other than 200. */
    static final class HttpStatusException extends IOException {
        final int status;

        HttpStatusException(int status, String body) {
            super("HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body, 300)));
            this.status = status;
        }
    }

    private final HttpClient http;
    private final ExecutorService executor;
    private final URI base;
    private final URI eventsUri;
    private final String apiKey;
    private final Duration timeout;

    ApiClient(URI base, String apiKey, Duration timeout, int threads) {
        this.base = base;
        this.eventsUri = URI.create(base + "/api/v1/events");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "loadgen-http");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor)
                .build();
    }

    URI base() {
        return base;
    }

    /** Sends {@code body[0, len)}; never completes exceptionally (failures become an {@link IngestResponse}). */
    CompletableFuture<IngestResponse> postEvents(byte[] body, int len) {
        HttpRequest request = HttpRequest.newBuilder(eventsUri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("X-API-Key", apiKey)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, len))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> failure != null ? failed(failure) : parseIngest(response.statusCode(), response.body()));
    }

    IngestResponse postEventsSync(byte[] body) {
        return postEvents(body, body.length).join();
    }

    /**
     * Sum of {@code value} over every point of every series of {@code metric} in 1-day windows over
     * [start, end), optionally for one event type.
     */
    long metricSum(String metric, String eventType, Instant start, Instant end) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder(base.toString()).append("/api/v1/metrics?metric=").append(enc(metric))
                .append("&window=1d&start_time=").append(enc(start.toString()))
                .append("&end_time=").append(enc(end.toString()));
        if (eventType != null) {
            q.append("&event_type=").append(enc(eventType));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(q.toString()))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("X-API-Key", apiKey)
                .GET()
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new HttpStatusException(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        }
        return sumPoints(response.body());
    }

    /** Sums {@code series[*].points[*].value}. */
    static long sumPoints(byte[] body) throws IOException {
        double sum = 0;
        boolean sawSeries = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("metrics response is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("series") && t == JsonToken.START_ARRAY) {
                    sawSeries = true;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String sf = p.currentName();
                            JsonToken st = p.nextToken();
                            if (sf.equals("points") && st == JsonToken.START_ARRAY) {
                                while (p.nextToken() == JsonToken.START_OBJECT) {
                                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                                        String pf = p.currentName();
                                        JsonToken pt = p.nextToken();
                                        if (pf.equals("value") && pt.isNumeric()) {
                                            sum += p.getDoubleValue();
                                        } else {
                                            p.skipChildren();
                                        }
                                    }
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        if (!sawSeries) {
            throw new IOException("metrics response has no \"series\" array");
        }
        return Math.round(sum);
    }

    static IngestResponse parseIngest(int status, byte[] body) {
        String key = Integer.toString(status);
        if (status < 200 || status >= 300) {
            return new IngestResponse(status, key, 0, 0, 0, List.of(), abbreviate(new String(body, StandardCharsets.UTF_8), 300));
        }
        long accepted = 0;
        long duplicates = 0;
        long rejected = 0;
        List<String> samples = new ArrayList<>(0);
        boolean sawAccepted = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "accepted" -> {
                        accepted = p.getValueAsLong();
                        sawAccepted = t.isNumeric();
                    }
                    case "duplicates" -> duplicates = p.getValueAsLong();
                    case "rejected" -> {
                        if (t == JsonToken.START_ARRAY) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                if (p.currentToken() == JsonToken.START_OBJECT && samples.size() < MAX_REJECTED_SAMPLES) {
                                    samples.add(rejectionText(p));
                                } else {
                                    p.skipChildren();
                                }
                                rejected++;
                            }
                        } else if (t.isNumeric()) {
                            rejected = p.getValueAsLong();
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return new IngestResponse(status, "bad_response", 0, 0, 0, List.of(), "unparseable " + status + " body: " + e.getMessage());
        }
        if (!sawAccepted) {
            return new IngestResponse(status, "bad_response", 0, 0, 0, List.of(), "2xx body without a numeric \"accepted\"");
        }
        return new IngestResponse(status, key, accepted, duplicates, rejected, samples, null);
    }

    private static String rejectionText(JsonParser p) throws IOException {
        String index = "?";
        String error = "?";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (f.equals("index") && t.isNumeric()) {
                index = p.getText();
            } else if (f.equals("error") && t == JsonToken.VALUE_STRING) {
                error = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return "[" + index + "] " + error;
    }

    static IngestResponse failed(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String key = t instanceof HttpTimeoutException ? "timeout" : t instanceof ConnectException ? "connect_error" : "io_error";
        return new IngestResponse(-1, key, 0, 0, 0, List.of(), describe(t));
    }

    /** "ConnectException: connection refused" rather than "ConnectException: null". */
    static String describe(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t instanceof ConnectException ? "connection refused or failed"
                    : t instanceof HttpTimeoutException ? "timed out" : "no detail";
        }
        return t.getClass().getSimpleName() + ": " + m;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String abbreviate(String s, int max) {
        s = s.replace('\n', ' ').strip();
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
