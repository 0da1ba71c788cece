package io.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the orders API of the platform, for {@link OrderLoadGeneratorTest}: keeps every order's
 * state and the commands it received in order, enforces the life of an order (created → confirmed →
 * payment_pending → paid → shipped → delivered; cancel before payment; pay exactly the total), and notes
 * a violation whenever two commands for one order overlap in time. Each command takes {@code delayMillis}.
 */
final class FakeOrdersServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server writes the headers and the body of an answer separately; without TCP_NODELAY the body
        // waits for the client's delayed ACK (~40 ms). Read once per JVM, so too late if another test's
        // server came first: the tests do not depend on it.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    static final class OrderRec {
        final List<String> commands = new ArrayList<>();
        final AtomicBoolean busy = new AtomicBoolean();
        String status;
        BigDecimal total;
        long version;
        /** The command after which the server answered an error (the generator must send nothing more). */
        String rejectedAt;
    }

    final Map<String, OrderRec> orders = new ConcurrentHashMap<>();
    final AtomicLong violations = new AtomicLong();
    final List<String> violationSamples = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicLong okCommands = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicInteger ships = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    private final String apiKey;
    private final long delayMillis;
    /** Every N-th ship is answered 422 (0: never). */
    private final int rejectShipEvery;

    FakeOrdersServer(String apiKey, long delayMillis, int rejectShipEvery) throws IOException {
        this(apiKey, delayMillis, rejectShipEvery, 0);
    }

    FakeOrdersServer(String apiKey, long delayMillis, int rejectShipEvery, int port) throws IOException {
        this.apiKey = apiKey;
        this.delayMillis = delayMillis;
        this.rejectShipEvery = rejectShipEvery;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        server.setExecutor(executor);
        server.createContext("/api/v1/orders", this::orders);
        server.createContext("/api/v1/views/lag", ex -> {
            if (authorized(ex)) {
                answer(ex, 200, "{\"projections\":[{\"projection\":\"orders\",\"events_handled\":" + okCommands.get() + "}]}");
            }
        });
        server.start();
    }

    /** For trying the generator by hand: {@code FakeOrdersServer PORT [KEY] [DELAY_MS]}; runs until killed. */
    public static void main(String[] args) throws Exception {
        FakeOrdersServer server = new FakeOrdersServer(args.length > 1 ? args[1] : "demo",
                args.length > 2 ? Long.parseLong(args[2]) : 0, 0, Integer.parseInt(args[0]));
        System.out.println("fake orders API at " + server.url());
        Thread.currentThread().join();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        if (!apiKey.equals(ex.getRequestHeaders().getFirst("X-API-Key"))) {
            answer(ex, 401, "{\"error\":\"bad key\"}");
            return false;
        }
        return true;
    }

    private void violation(String what) {
        violations.incrementAndGet();
        if (violationSamples.size() < 20) {
            violationSamples.add(what);
        }
    }

    private void orders(HttpExchange ex) throws IOException {
        try {
            received.incrementAndGet();
            if (!authorized(ex)) {
                return;
            }
            if (!ex.getRequestMethod().equals("POST")) {
                answer(ex, 405, "{\"error\":\"POST only\"}");
                return;
            }
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String[] parts = ex.getRequestURI().getPath().substring("/api/v1/orders".length()).split("/");
            // "" -> create; ["", id, action] -> action
            if (parts.length == 0 || (parts.length == 1 && parts[0].isEmpty())) {
                create(ex, body);
            } else if (parts.length == 3) {
                act(ex, parts[1], parts[2], body);
            } else {
                answer(ex, 404, "{\"error\":\"no such path\"}");
            }
        } catch (RuntimeException e) {
            answer(ex, 500, "{\"error\":\"" + e + "\"}");
        }
    }

    private void create(HttpExchange ex, String body) throws IOException {
        JsonNode json = JSON.readTree(body);
        String id = json.path("order_id").asText();
        OrderRec rec = new OrderRec();
        rec.busy.set(true);
        if (orders.putIfAbsent(id, rec) != null) {
            violation("create of an existing order " + id);
            answer(ex, 409, "{\"error\":\"exists\"}");
            return;
        }
        BigDecimal total = BigDecimal.ZERO;
        for (JsonNode item : json.path("items")) {
            total = total.add(item.path("price").decimalValue().multiply(BigDecimal.valueOf(item.path("quantity").asInt())));
        }
        if (!json.path("currency").isTextual() || json.path("items").isEmpty()) {
            violation("create without currency or items: " + body);
        }
        sleep();
        synchronized (rec) {
            rec.commands.add("create");
            rec.status = "created";
            rec.total = total;
            rec.version = 1;
        }
        rec.busy.set(false);
        okCommands.incrementAndGet();
        answer(ex, 201, render(id, rec));
    }

    private void act(HttpExchange ex, String id, String action, String body) throws IOException {
        OrderRec rec = orders.get(id);
        if (rec == null) {
            violation(action + " for an unknown order " + id);
            answer(ex, 404, "{\"error\":\"order " + id + " does not exist\"}");
            return;
        }
        if (!rec.busy.compareAndSet(false, true)) {
            violation("overlapping commands for " + id + " (" + action + ")");
        }
        try {
            sleep();
            synchronized (rec) {
                if (rec.rejectedAt != null) {
                    violation(action + " for " + id + " after it was answered an error at " + rec.rejectedAt);
                }
                rec.commands.add(action);
                JsonNode json = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
                String next = switch (action) {
                    case "confirm" -> rec.status.equals("created") ? "confirmed" : null;
                    case "pay" -> rec.status.equals("confirmed") && json.path("amount").isNumber()
                            && json.path("amount").decimalValue().compareTo(rec.total) == 0 ? "payment_pending" : null;
                    case "payment-outcome" -> rec.status.equals("payment_pending") && json.path("succeeded").asBoolean(false) ? "paid" : null;
                    case "ship" -> rec.status.equals("paid") ? "shipped" : null;
                    case "deliver" -> rec.status.equals("shipped") ? "delivered" : null;
                    case "cancel" -> (rec.status.equals("created") || rec.status.equals("confirmed")) && json.hasNonNull("reason")
                            ? "cancelled" : null;
                    default -> null;
                };
                if (next == null) {
                    violation(action + " not allowed for " + id + " in status " + rec.status + " (body " + body + ")");
                    rec.rejectedAt = action;
                    done(ex, rec, 422, "{\"error\":\"" + action + " not allowed (order " + id + " is " + rec.status + ")\"}");
                    return;
                }
                if (action.equals("ship") && rejectShipEvery > 0 && ships.incrementAndGet() % rejectShipEvery == 0) {
                    rec.rejectedAt = action;
                    done(ex, rec, 422, "{\"error\":\"carrier unavailable for order " + id + "\"}");
                    return;
                }
                rec.status = next;
                rec.version++;
                okCommands.incrementAndGet();
                done(ex, rec, 200, render(id, rec));
            }
        } finally {
            rec.busy.set(false);
        }
    }

    /** Answers a command: the order is free again before the client can hear of it and send the next one. */
    private static void done(HttpExchange ex, OrderRec rec, int status, String body) throws IOException {
        rec.busy.set(false);
        answer(ex, status, body);
    }

    private static String render(String id, OrderRec rec) {
        ObjectNode n = JSON.createObjectNode().put("order_id", id).put("status", rec.status).put("total", rec.total)
                .put("version", rec.version);
        return n.toString();
    }

    private void sleep() {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        ToolRun.replyJson(ex, status, body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
