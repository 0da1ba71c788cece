package io.analytics.query;

import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.api.ApiResponses;
import io.analytics.core.project.ProjectDirectory;
import io.analytics.stream.metrics.MetricPartition;
import java.time.Instant;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/watermarks}: the stream's watermark and each partition's event-time progress
 * (largest event time, watermark, late events, whether it is idle), to see why a window is not final.
 */
public final class WatermarkRoutes extends AllDirectives {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectDirectory projects;
    private final MetricsService service;

    public WatermarkRoutes(ProjectDirectory projects, MetricsService service) {
        this.projects = projects;
        this.service = service;
    }

    public Route route() {
        return path(segment("api").slash("v1").slash("watermarks"), () -> get(() ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key -> completeWithFuture(
                        ApiResponses.forProject(projects, key, project -> service.status()
                                .thenApply(status -> json(StatusCodes.OK, render(status)))
                                .exceptionally(e -> error(StatusCodes.SERVICE_UNAVAILABLE,
                                        "watermarks are unavailable: " + QueryParams.rootMessage(e))))))));
    }

    private static ObjectNode render(MetricsService.Status status) {
        ObjectNode body = JSON.createObjectNode();
        QueryParams.putWatermark(body, status.watermark());
        body.put("idle_timeout_ms", status.idleTimeout().toMillis());
        ArrayNode partitions = body.putArray("partitions");
        for (MetricPartition.Progress p : status.partitions()) {
            ObjectNode item = partitions.addObject();
            item.put("partition", p.partition());
            item.put("last_offset", p.lastOffset());
            long max = p.watermark().maxEventTime();
            if (max == Long.MIN_VALUE) {
                item.putNull("max_event_time");
            } else {
                item.put("max_event_time", Instant.ofEpochMilli(max).toString());
            }
            QueryParams.putWatermark(item, p.watermark().value());
            item.put("events", p.events());
            item.put("late_events", p.lateEvents());
            item.put("idle", p.idleMillis() >= status.idleTimeout().toMillis());
        }
        return body;
    }
}
