package io.analytics.hub;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;
import static io.analytics.api.ApiResponses.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/v1/stream/metrics} (WebSocket: the client sends {@code {"subscribe": [...]}} and
 * {@code {"unsubscribe": [...]}}; with {@code ?batch=true} it gets a tick's updates in one
 * {@code metrics_updates} message) and {@code GET /api/v1/stream/metrics.sse?series=a,b} (Server-Sent
 * Events, named series only).
 */
final class StreamRoutes extends AllDirectives {

    private static final String BATCH_START = "{\"type\":\"metrics_updates\",\"updates\":[";

    private final LiveHub hub;

    StreamRoutes(LiveHub hub) {
        this.hub = hub;
    }

    Route route() {
        return concat(
                path(segment("api").slash("v1").slash("stream").slash("metrics"), () -> get(() ->
                        hub.authenticated(project -> parameterOptional("batch", batch ->
                                handleWebSocketMessages(webSocket(project, batch.filter("true"::equals).isPresent())))))),
                path(segment("api").slash("v1").slash("stream").slash("metrics.sse"), () -> get(() ->
                        hub.authenticated(project -> parameterOptional("series", series ->
                                serverSentEvents(project, series.orElse("")))))));
    }

    /** @param batched whether the client asked for a tick's updates in one message ({@code ?batch=true}) */
    private Flow<Message, Message, NotUsed> webSocket(String project, boolean batched) {
        HubConnection connection = hub.connect(project);
        Sink<Message, NotUsed> in = hub.inboundText().to(Sink.foreach(text -> receive(connection, text)));
        Source<Message, NotUsed> out = connection.outbox()
                .source(batched ? StreamRoutes::batchedFrames : StreamRoutes::frames, connection::closed);
        return Flow.fromSinkAndSourceCoupled(in, out);
    }

    private static void receive(HubConnection connection, String text) {
        JsonNode message;
        try {
            message = LiveJson.JSON.readTree(text);
        } catch (Exception e) {
            message = null;
        }
        if (message == null || !message.isObject() || !(message.has("subscribe") || message.has("unsubscribe"))) {
            notice(connection, LiveJson.error(null,
                    "expected a JSON object {\"subscribe\": [names or metric queries]} or {\"unsubscribe\": [names]}"));
            return;
        }
        if (message.has("unsubscribe")) {
            connection.unsubscribe(items(message.get("unsubscribe")));
        }
        if (message.has("subscribe")) {
            connection.subscribe(items(message.get("subscribe")), outcome -> {
                notice(connection, LiveJson.subscribed(connection.project(), outcome.subscribed()));
                outcome.rejected().forEach(r -> notice(connection, LiveJson.error(r.name(), r.message())));
            });
        }
    }

    private Route serverSentEvents(String project, String series) {
        List<String> names = Arrays.stream(series.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty()) {
            return complete(error(StatusCodes.BAD_REQUEST, "series: name at least one series, e.g. ?series=orders_per_minute,"
                    + "revenue_per_minute; known: " + String.join(", ", hub.seriesNames())));
        }
        HubConnection connection = hub.connect(project);
        ArrayNode items = LiveJson.JSON.createArrayNode();
        names.forEach(items::add);
        HubConnection.Outcome outcome = connection.subscribe(items, accepted ->
                accepted.rejected().forEach(r -> notice(connection, LiveJson.error(r.name(), r.message()))));
        if (outcome.subscribed().isEmpty()) {
            connection.closed();
            return complete(error(StatusCodes.BAD_REQUEST, outcome.rejected().get(0).name() + ": "
                    + outcome.rejected().get(0).message()));
        }
        Source<ServerSentEvent, NotUsed> events = connection.outbox()
                .source(messages -> messages.stream().map(StreamRoutes::event).toList(), connection::closed)
                .keepAlive(hub.settings().keepAlive(), ServerSentEvent::heartbeat);
        return completeOK(events, EventStreamMarshalling.toEventStream());
    }

    /** One message per frame: the protocol's messages carry one update each. */
    static List<Message> frames(List<Outgoing> messages) {
        List<Message> frames = new ArrayList<>(messages.size());
        for (Outgoing message : messages) {
            frames.add(TextMessage.create(frame(message)));
        }
        return frames;
    }

    /**
     * Notices one per frame, then all the updates in one {@code {"type":"metrics_updates","updates":[…]}}:
     * a frame costs the server far more than its bytes (a trip through the connection's stream, a write).
     */
    static List<Message> batchedFrames(List<Outgoing> messages) {
        List<Message> frames = new ArrayList<>(2);
        StringBuilder updates = null;
        for (Outgoing message : messages) {
            if (!(message instanceof LiveUpdate update)) {
                frames.add(TextMessage.create(frame(message)));
            } else if (updates == null) {
                updates = new StringBuilder(BATCH_START).append(update.json());
            } else {
                updates.append(',').append(update.json());
            }
        }
        if (updates != null) {
            frames.add(TextMessage.create(updates.append("]}").toString()));
        }
        return frames;
    }

    private static String frame(Outgoing message) {
        if (message instanceof LiveUpdate update) {
            return update.json();
        }
        if (message instanceof Outgoing.Lagging lagging) {
            return LiveJson.lagging(lagging);
        }
        return ((Outgoing.Notice) message).frame();
    }

    private static ServerSentEvent event(Outgoing message) {
        if (message instanceof LiveUpdate update) {
            return ServerSentEvent.create(update.json(), "metrics_update");
        }
        if (message instanceof Outgoing.Lagging lagging) {
            return ServerSentEvent.create(LiveJson.lagging(lagging), "lagging");
        }
        return ServerSentEvent.create(((Outgoing.Notice) message).frame(), "error");
    }

    private static void notice(HubConnection connection, String json) {
        connection.outbox().offer(new Outgoing.Notice(json));
    }

    /** A single name or object counts as a list of one. */
    static Iterable<JsonNode> items(JsonNode node) {
        if (node.isArray()) {
            return node;
        }
        return List.of(node);
    }
}
