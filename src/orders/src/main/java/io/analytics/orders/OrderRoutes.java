package io.analytics.orders;

import static io.analytics.api.ApiResponses.done;
import static io.analytics.api.ApiResponses.error;
import static io.analytics.api.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.analytics.api.ApiResponses;
import io.analytics.core.order.Order;
import io.analytics.core.order.OrderCommand;
import io.analytics.core.order.OrderItem;
import io.analytics.core.project.ProjectDirectory;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The orders API: {@code POST /api/v1/orders}, {@code POST /api/v1/orders/{id}/{action}},
 * {@code GET /api/v1/orders/{id}[?version=n|as_of=time]} and {@code GET /api/v1/orders/{id}/history}.
 * Answers carry the order's version as ETag; {@code If-Match} makes a command conditional on it and
 * {@code Idempotency-Key} makes a retried command harmless.
 */
public final class OrderRoutes extends AllDirectives {

    /** Renders event payloads in the API's style: snake_case names, ISO-8601 times. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private final ProjectDirectory projects;
    private final ClusterSharding sharding;
    private final OrderJournal journal;
    private final Duration askTimeout;
    private final Clock clock;

    public OrderRoutes(ProjectDirectory projects, ClusterSharding sharding, OrderJournal journal, Duration askTimeout, Clock clock) {
        this.projects = projects;
        this.sharding = sharding;
        this.journal = journal;
        this.askTimeout = askTimeout;
        this.clock = clock;
    }

    public Route route() {
        return pathPrefix(segment("api").slash("v1").slash("orders"), () ->
                optionalHeaderValueByName(ApiResponses.API_KEY_HEADER, key ->
                        optionalHeaderValueByName("If-Match", ifMatch ->
                                optionalHeaderValueByName("Idempotency-Key", idempotencyKey ->
                                        concat(
                                                createRoute(key, idempotencyKey),
                                                historyRoute(key),
                                                readRoute(key),
                                                actionRoute(key, ifMatch, idempotencyKey))))));
    }

    private Route createRoute(Optional<String> key, Optional<String> idempotencyKey) {
        return pathEnd(() -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(authorized(key, project -> create(project, body, idempotencyKey))))));
    }

    private Route historyRoute(Optional<String> key) {
        return path(segment().slash("history"), id -> get(() ->
                completeWithFuture(authorized(key, project -> history(project, id)))));
    }

    private Route readRoute(Optional<String> key) {
        return path(segment(), id -> get(() -> parameterMap(params ->
                completeWithFuture(authorized(key, project -> read(project, id, params))))));
    }

    private Route actionRoute(Optional<String> key, Optional<String> ifMatch, Optional<String> idempotencyKey) {
        return path(segment().slash(segment()), (id, action) -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(authorized(key, project -> act(project, id, action, body, ifMatch, idempotencyKey))))));
    }

    private CompletionStage<HttpResponse> authorized(Optional<String> apiKey, Function<String, CompletionStage<HttpResponse>> action) {
        return ApiResponses.forProject(projects, apiKey, project -> {
            try {
                return action.apply(project);
            } catch (BadRequest e) {
                return done(error(StatusCodes.BAD_REQUEST, e.getMessage()));
            }
        });
    }

    private CompletionStage<HttpResponse> create(String project, String body, Optional<String> idempotencyKey) {
        JsonNode json = parse(body);
        String orderId = json.hasNonNull("order_id") ? text(json, "order_id") : UUID.randomUUID().toString();
        OrderCommand.Create create = new OrderCommand.Create(orderId, optionalText(json, "user_id"), items(json),
                optionalText(json, "currency"), clock.instant());
        return execute(project, orderId, create, null, idempotencyKey.orElse(null), StatusCodes.CREATED);
    }

    private CompletionStage<HttpResponse> act(String project, String orderId, String action, String body,
            Optional<String> ifMatch, Optional<String> idempotencyKey) {
        JsonNode json = body.isBlank() ? JSON.createObjectNode() : parse(body);
        Instant now = clock.instant();
        OrderCommand command = switch (action) {
            case "confirm" -> new OrderCommand.Confirm(now);
            case "pay" -> new OrderCommand.Pay(decimal(json, "amount"), optionalText(json, "method"), now);
            case "payment-outcome" -> new OrderCommand.RecordPaymentOutcome(bool(json, "succeeded"),
                    optionalText(json, "payment_id"), optionalText(json, "reason"), now);
            case "ship" -> new OrderCommand.Ship(optionalText(json, "carrier"), optionalText(json, "tracking_number"), now);
            case "deliver" -> new OrderCommand.Deliver(now);
            case "cancel" -> new OrderCommand.Cancel(optionalText(json, "reason"), now);
            case "refund" -> new OrderCommand.Refund(decimal(json, "amount"), optionalText(json, "reason"), now);
            default -> throw new BadRequest("unknown action '" + action
                    + "'; one of confirm, pay, payment-outcome, ship, deliver, cancel, refund");
        };
        return execute(project, orderId, command, ifMatch.map(OrderRoutes::version).orElse(null),
                idempotencyKey.orElse(null), StatusCodes.OK);
    }

    private CompletionStage<HttpResponse> execute(String project, String orderId, OrderCommand command, Long expectedVersion,
            String idempotencyKey, StatusCode success) {
        return entity(project, orderId)
                .<OrderEntity.Reply>ask(replyTo -> new OrderEntity.Execute(command, expectedVersion, idempotencyKey, replyTo), askTimeout)
                .thenApply(reply -> {
                    if (reply instanceof OrderEntity.Done done) {
                        return order(success, done.order());
                    }
                    if (reply instanceof OrderEntity.VersionConflict conflict) {
                        return json(StatusCodes.CONFLICT, JSON.createObjectNode()
                                .put("error", "version conflict: If-Match is " + conflict.expected() + " but the order is at version " + conflict.actual())
                                .put("current_version", conflict.actual()));
                    }
                    var rejection = ((OrderEntity.Rejected) reply).rejection();
                    StatusCode status = switch (rejection.reason()) {
                        case INVALID, NOT_ALLOWED -> StatusCodes.UNPROCESSABLE_ENTITY;
                        case NOT_FOUND -> StatusCodes.NOT_FOUND;
                        case ALREADY_EXISTS -> StatusCodes.CONFLICT;
                    };
                    return error(status, rejection.message());
                });
    }

    private CompletionStage<HttpResponse> read(String project, String orderId, Map<String, String> params) {
        String entityId = OrderEntity.entityId(project, orderId);
        CompletionStage<Order> order;
        if (params.containsKey("version")) {
            order = journal.atVersion(entityId, version(params.get("version")));
        } else if (params.containsKey("as_of")) {
            order = journal.asOf(entityId, instant(params.get("as_of")));
        } else {
            order = entity(project, orderId).ask(OrderEntity.Get::new, askTimeout);
        }
        return order.thenApply(o -> o.exists() ? order(StatusCodes.OK, o)
                : error(StatusCodes.NOT_FOUND, "order " + orderId + " does not exist" + (params.isEmpty() ? "" : " at that point")));
    }

    private CompletionStage<HttpResponse> history(String project, String orderId) {
        return journal.history(OrderEntity.entityId(project, orderId)).thenApply(entries -> {
            if (entries.isEmpty()) {
                return error(StatusCodes.NOT_FOUND, "order " + orderId + " does not exist");
            }
            ObjectNode body = JSON.createObjectNode().put("order_id", orderId);
            ArrayNode events = body.putArray("events");
            for (OrderJournal.Entry entry : entries) {
                ObjectNode item = events.addObject();
                item.put("sequence_number", entry.sequenceNumber());
                item.put("time", entry.event().at().toString());
                item.put("written_at", entry.writtenAt().toString());
                item.put("type", entry.event().typeName());
                item.set("payload", JSON.valueToTree(entry.event()));
                item.put("idempotency_key", entry.idempotencyKey());
            }
            return json(StatusCodes.OK, body);
        });
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<OrderEntity.Command> entity(String project, String orderId) {
        return sharding.entityRefFor(OrderEntity.TYPE_KEY, OrderEntity.entityId(project, orderId));
    }

    static ObjectNode render(Order order) {
        ObjectNode body = JSON.createObjectNode()
                .put("order_id", order.orderId())
                .put("user_id", order.userId())
                .put("status", order.status().name().toLowerCase())
                .put("currency", order.currency())
                .put("total", order.total())
                .put("paid", order.paid())
                .put("refunded", order.refunded())
                .put("version", order.version())
                .put("created_at", order.createdAt().toString())
                .put("updated_at", order.updatedAt().toString());
        ArrayNode items = body.putArray("items");
        for (OrderItem item : order.items()) {
            items.addObject().put("product_id", item.productId()).put("quantity", item.quantity()).put("price", item.unitPrice());
        }
        return body;
    }

    private static HttpResponse order(StatusCode status, Order order) {
        return json(status, render(order)).addHeader(ETag.create(EntityTag.create(Long.toString(order.version()), false)));
    }

    private static List<OrderItem> items(JsonNode json) {
        JsonNode items = json.get("items");
        if (items == null || items.isNull()) {
            return List.of();
        }
        if (!items.isArray()) {
            throw new BadRequest("items: must be an array");
        }
        List<OrderItem> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            JsonNode quantity = item.get("quantity");
            if (quantity == null || !quantity.canConvertToInt() || !quantity.isIntegralNumber()) {
                throw new BadRequest("items[" + i + "].quantity: must be an integer");
            }
            result.add(new OrderItem(optionalText(item, "product_id"), quantity.intValue(), decimal(item, "price", "items[" + i + "].price")));
        }
        return result;
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json == null || !json.isObject()) {
                throw new BadRequest("body must be a JSON object");
            }
            return json;
        } catch (IOException e) {
            throw new BadRequest("body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new BadRequest(field + ": must be a non-empty string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequest(field + ": must be a string");
        }
        return value.asText();
    }

    private static java.math.BigDecimal decimal(JsonNode json, String field) {
        return decimal(json, field, field);
    }

    private static java.math.BigDecimal decimal(JsonNode json, String field, String name) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new BadRequest(name + ": must be a number");
        }
        return value.decimalValue();
    }

    private static boolean bool(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isBoolean()) {
            throw new BadRequest(field + ": must be true or false");
        }
        return value.booleanValue();
    }

    private static long version(String header) {
        String text = header.replace("W/", "").replace("\"", "").trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BadRequest("version: must be an order version number such as 3, got '" + header + "'");
        }
    }

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadRequest("as_of: must be ISO-8601 with an offset, such as 2026-02-16T10:30:00Z");
        }
    }


    /** A request the API cannot even turn into a command: answered 400. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
