package io.analytics.hub;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A SignalR hub at {@code /hubs/metrics}: the negotiate endpoint (version 1, WebSockets only) and the
 * JSON hub protocol over a WebSocket, so that {@code @microsoft/signalr} clients connect unchanged.
 * Hub methods: {@code Subscribe(series...)} and {@code Unsubscribe(series...)}, whose updates arrive
 * as {@code metricsUpdate} calls (and {@code metricsLagging} when the client falls behind), and the
 * streaming method {@code StreamMetrics(series)}, whose updates arrive as stream items.
 *
 * <p>The connection token is not remembered: the WebSocket request authenticates with the API key
 * again (the client sends it as a Bearer header or {@code access_token}), so any node can take the
 * WebSocket of a negotiation another node answered, without sticky sessions.
 */
final class SignalRHub extends AllDirectives {

    static final char RECORD_SEPARATOR = '\u001e';

    private static final int INVOCATION = 1;
    private static final int STREAM_ITEM = 2;
    private static final int COMPLETION = 3;
    private static final int STREAM_INVOCATION = 4;
    private static final int CANCEL_INVOCATION = 5;
    private static final int PING = 6;
    private static final int CLOSE = 7;

    private static final String PING_RECORD = record(LiveJson.JSON.createObjectNode().put("type", PING));

    private final LiveHub hub;

    SignalRHub(LiveHub hub) {
        this.hub = hub;
    }

    Route route() {
        return pathPrefix(segment("hubs").slash("metrics"), () -> concat(
                path(segment("negotiate"), () -> post(() -> hub.authenticated(project -> negotiate()))),
                pathEnd(() -> hub.authenticated(project -> concat(
                        handleWebSocketMessages(new Session(project).flow()),
                        complete(error(StatusCodes.BAD_REQUEST,
                                "this hub speaks the SignalR JSON protocol over WebSockets only")))))));
    }

    private Route negotiate() {
        String id = UUID.randomUUID().toString();
        ObjectNode body = LiveJson.JSON.createObjectNode()
                .put("negotiateVersion", 1)
                .put("connectionId", id)
                .put("connectionToken", UUID.randomUUID().toString());
        body.putArray("availableTransports").addObject()
                .put("transport", "WebSockets")
                .putArray("transferFormats").add("Text");
        return complete(json(StatusCodes.OK, body));
    }

    /** One SignalR connection: handshake first, then hub messages in both directions. */
    private final class Session {
        private final HubConnection connection;
        /** Series subscribed through StreamMetrics, by name: their updates go out as items of that stream. */
        private final Map<String, String> streams = new ConcurrentHashMap<>();
        private volatile boolean handshaken;

        Session(String project) {
            this.connection = hub.connect(project);
        }

        Flow<Message, Message, NotUsed> flow() {
            Sink<Message, NotUsed> in = hub.inboundText().to(Sink.foreach(this::receive));
            Source<Message, NotUsed> out = connection.outbox().source(this::frames, connection::closed)
                    .keepAlive(hub.settings().keepAlive(), () -> TextMessage.create(PING_RECORD));
            return Flow.fromSinkAndSourceCoupled(in, out);
        }

        /**
         * All that accumulated for the client in one frame: the protocol allows several records per
         * frame, and each frame costs the server a trip through the connection's stream and a write.
         */
        private List<Message> frames(List<Outgoing> messages) {
            StringBuilder records = new StringBuilder();
            messages.forEach(message -> records.append(encode(message)));
            return List.of(TextMessage.create(records.toString()));
        }

        /** A frame may carry several records, each ended by the record separator. */
        private void receive(String text) {
            for (String record : text.split(String.valueOf(RECORD_SEPARATOR))) {
                if (!record.isBlank()) {
                    receiveRecord(record);
                }
            }
        }

        private void receiveRecord(String record) {
            JsonNode message;
            try {
                message = LiveJson.JSON.readTree(record);
            } catch (Exception e) {
                close("the message is not JSON: " + e.getMessage());
                return;
            }
            if (!handshaken) {
                handshake(message);
                return;
            }
            int type = message.path("type").asInt(-1);
            switch (type) {
                case INVOCATION -> invoke(message);
                case STREAM_INVOCATION -> stream(message);
                case CANCEL_INVOCATION -> cancel(message.path("invocationId").asText());
                case PING -> { }
                case CLOSE -> connection.closed();
                default -> close("unsupported message type " + type);
            }
        }

        private void handshake(JsonNode request) {
            if (!"json".equals(request.path("protocol").asText()) || request.path("version").asInt() != 1) {
                send(record(LiveJson.JSON.createObjectNode().put("error",
                        "only the json protocol, version 1, is supported; got " + request)));
                connection.closed();
                return;
            }
            handshaken = true;
            send(record(LiveJson.JSON.createObjectNode()));
        }

        private void invoke(JsonNode message) {
            String target = message.path("target").asText();
            String invocationId = message.hasNonNull("invocationId") ? message.get("invocationId").asText() : null;
            List<JsonNode> arguments = flatten(message.path("arguments"));
            switch (target) {
                case "Subscribe" -> connection.subscribe(arguments, outcome -> complete(invocationId, outcome));
                case "Unsubscribe" -> {
                    connection.unsubscribe(arguments);
                    completion(invocationId, null, null);
                }
                default -> completion(invocationId, null, "Unknown hub method '" + target + "'");
            }
        }

        private void complete(String invocationId, HubConnection.Outcome outcome) {
            if (outcome.subscribed().isEmpty() && !outcome.rejected().isEmpty()) {
                completion(invocationId, null, rejections(outcome));
                return;
            }
            ObjectNode result = LiveJson.JSON.createObjectNode();
            ArrayNode subscribed = result.putArray("subscribed");
            outcome.subscribed().forEach(subscribed::add);
            ArrayNode rejected = result.putArray("rejected");
            outcome.rejected().forEach(r -> rejected.addObject().put("name", r.name()).put("message", r.message()));
            completion(invocationId, result, null);
        }

        private void stream(JsonNode message) {
            String invocationId = message.path("invocationId").asText();
            List<JsonNode> arguments = flatten(message.path("arguments"));
            if (!"StreamMetrics".equals(message.path("target").asText()) || arguments.size() != 1) {
                completion(invocationId, null, "streaming method: StreamMetrics(series), one series per stream");
                return;
            }
            connection.subscribe(arguments, outcome -> {
                if (outcome.subscribed().isEmpty()) {
                    completion(invocationId, null, rejections(outcome));
                } else {
                    streams.put(outcome.subscribed().get(0), invocationId);
                }
            });
        }

        private void cancel(String invocationId) {
            streams.entrySet().removeIf(entry -> {
                if (!entry.getValue().equals(invocationId)) {
                    return false;
                }
                connection.unsubscribe(List.of(LiveJson.JSON.getNodeFactory().textNode(entry.getKey())));
                return true;
            });
        }

        private void completion(String invocationId, JsonNode result, String error) {
            if (invocationId == null) {
                return;
            }
            ObjectNode message = LiveJson.JSON.createObjectNode().put("type", COMPLETION).put("invocationId", invocationId);
            if (error != null) {
                message.put("error", error);
            } else if (result != null) {
                message.set("result", result);
            }
            send(record(message));
        }

        private void close(String error) {
            send(record(LiveJson.JSON.createObjectNode().put("type", CLOSE).put("error", error).put("allowReconnect", false)));
            connection.closed();
        }

        private void send(String frame) {
            connection.outbox().offer(new Outgoing.Notice(frame));
        }

        private String encode(Outgoing message) {
            if (message instanceof LiveUpdate update) {
                String stream = streams.get(update.name());
                return stream != null
                        ? "{\"type\":" + STREAM_ITEM + ",\"invocationId\":" + LiveJson.JSON.getNodeFactory().textNode(stream)
                                + ",\"item\":" + update.json() + "}" + RECORD_SEPARATOR
                        : call("metricsUpdate", update.json());
            }
            if (message instanceof Outgoing.Lagging lagging) {
                return call("metricsLagging", LiveJson.lagging(lagging));
            }
            return ((Outgoing.Notice) message).frame();
        }
    }

    /** A call of a client method with one argument already rendered as JSON; no re-serialisation per client. */
    private static String call(String target, String argumentJson) {
        return "{\"type\":" + INVOCATION + ",\"target\":\"" + target + "\",\"arguments\":[" + argumentJson + "]}" + RECORD_SEPARATOR;
    }

    private static String record(JsonNode message) {
        return LiveJson.write(message) + RECORD_SEPARATOR;
    }

    /** {@code Subscribe("a", "b")} and {@code Subscribe(["a", "b"])} mean the same. */
    private static List<JsonNode> flatten(JsonNode arguments) {
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode argument : arguments) {
            StreamRoutes.items(argument).forEach(items::add);
        }
        return items;
    }

    private static String rejections(HubConnection.Outcome outcome) {
        return String.join("; ", outcome.rejected().stream().map(r -> r.name() + ": " + r.message()).toList());
    }
}
