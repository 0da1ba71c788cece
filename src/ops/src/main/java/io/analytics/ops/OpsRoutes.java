package io.analytics.ops;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@value #LIVE_PATH} (the process answers), {@value #READY_PATH} (see {@link Readiness}; 503 with the failed
 * checks otherwise) and {@value #METRICS_PATH} (Prometheus text format). No API key: these are for the
 * orchestrator and the scraper, and tell nothing about any project's data.
 */
public final class OpsRoutes extends AllDirectives {

    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";
    public static final String METRICS_PATH = "/metrics";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Telemetry telemetry;
    private final Readiness readiness;

    public OpsRoutes(Telemetry telemetry, Readiness readiness) {
        this.telemetry = telemetry;
        this.readiness = readiness;
    }

    public Route route() {
        return get(() -> concat(
                path(segment("health").slash("live"), () -> complete(json(StatusCodes.OK, JSON.createObjectNode().put("status", "alive")))),
                path(segment("health").slash("ready"), () -> complete(ready())),
                path(segment("metrics"), () ->
                        complete(HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, telemetry.scrape()))))));
    }

    private HttpResponse ready() {
        Readiness.Report report = readiness.check();
        ObjectNode body = JSON.createObjectNode().put("status", report.ready() ? "ready" : "not ready");
        ArrayNode checks = body.putArray("checks");
        report.checks().forEach(check -> checks.addObject()
                .put("name", check.name()).put("ok", check.ok()).put("detail", check.detail()));
        return json(report.ready() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
    }

    private static HttpResponse json(org.apache.pekko.http.javadsl.model.StatusCode status, ObjectNode body) {
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
    }
}
