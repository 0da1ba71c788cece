package io.analytics.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class OrderLoadGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> FULL = Arrays.stream(OrderLoadGenerator.FULL_LIFE).map(c -> c.path).toList();
    private static final List<String> CANCELLED = Arrays.stream(OrderLoadGenerator.CANCELLED_LIFE).map(c -> c.path).toList();

    private static ToolRun run(String... args) throws Exception {
        return ToolRun.of(OrderLoadGenerator::run, args);
    }

    private static boolean isPrefix(List<String> prefix, List<String> of) {
        return prefix.size() <= of.size() && of.subList(0, prefix.size()).equals(prefix);
    }

    @Test
    @Timeout(20)
    void runsEachOrderThroughItsLifeOneCommandAtATime(@TempDir Path tmp) throws Exception {
        Path resultFile = tmp.resolve("result.json");
        try (FakeOrdersServer server = new FakeOrdersServer("test-key", 3, 0)) {
            ToolRun o = run("--url", server.url(), "--api-key", "test-key", "--rate", "400", "--duration", "1500ms",
                    "--orders", "48", "--concurrency", "32", "--cancel-fraction", "0.25", "--seed", "7",
                    "--out", resultFile.toString());
            System.out.println(o.out());
            assertThat(o.code()).as(o.err()).isZero();
            assertThat(server.violationSamples).isEmpty();
            assertThat(server.violations.get()).isZero();

            // Every order got a prefix of one of the two lives, in order; most ran to the end.
            long delivered = 0;
            long cancelled = 0;
            for (var e : server.orders.entrySet()) {
                List<String> cmds = e.getValue().commands;
                assertThat(isPrefix(cmds, FULL) || isPrefix(cmds, CANCELLED)).as(e.getKey() + ": " + cmds).isTrue();
                delivered += cmds.equals(FULL) ? 1 : 0;
                cancelled += cmds.equals(CANCELLED) ? 1 : 0;
            }
            assertThat(delivered).isGreaterThan(40);
            assertThat(cancelled).isPositive();

            JsonNode r = MAPPER.readTree(resultFile.toFile());
            assertThat(r.get("target_rate").asDouble()).isEqualTo(400.0);
            long sent = r.get("commands_sent").asLong();
            assertThat(sent + r.get("shortfall_commands").asLong()).isEqualTo(600);
            assertThat(sent).isEqualTo(server.received.get()).isGreaterThan(500);
            assertThat(r.get("commands_ok").asLong()).isEqualTo(server.okCommands.get()).isEqualTo(sent);
            assertThat(r.get("commands_answered").asLong()).isEqualTo(sent);
            assertThat(r.get("errors").asLong()).isZero();
            assertThat(r.get("unexpected_state").asLong()).isZero();
            assertThat(r.get("http_errors").size()).isZero();
            assertThat(r.get("http_status").get("201").asLong()).isEqualTo(server.orders.size());
            assertThat(r.get("http_status").get("200").asLong()).isEqualTo(sent - server.orders.size());
            assertThat(r.get("commands_per_s").asDouble()).isBetween(250.0, 400.0);
            assertThat(r.get("error_samples").size()).isZero();
            // The fake's "projection" counts successful commands.
            assertThat(r.get("projections").get("orders").get("events_handled_during_run").asLong()).isEqualTo(sent);

            JsonNode lat = r.get("latency_ms");
            assertThat(lat.get("count").asLong()).isEqualTo(sent);
            assertThat(lat.get("p50").asDouble()).isGreaterThanOrEqualTo(3.0); // the fake takes 3 ms per command
            assertThat(lat.get("max").asDouble()).isGreaterThanOrEqualTo(lat.get("p99").asDouble());
            assertThat(lat.get("p99").asDouble()).isGreaterThanOrEqualTo(lat.get("p50").asDouble());
            assertThat(r.get("latency_from_schedule_ms").get("p99").asDouble()).isGreaterThanOrEqualTo(lat.get("p50").asDouble());

            JsonNode by = r.get("by_command");
            long perCommand = 0;
            for (String c : List.of("create", "confirm", "pay", "payment-outcome", "ship", "deliver", "cancel")) {
                assertThat(by.get(c).get("sent").asLong()).as(c).isPositive();
                assertThat(by.get(c).get("ok").asLong()).as(c).isEqualTo(by.get(c).get("sent").asLong());
                assertThat(by.get(c).get("latency_ms").get("p99").asDouble()).as(c).isPositive();
                perCommand += by.get(c).get("sent").asLong();
            }
            assertThat(perCommand).isEqualTo(sent);
            assertThat(by.get("create").get("sent").asLong()).isEqualTo(server.orders.size());

            JsonNode outcomes = r.get("order_outcomes");
            assertThat(outcomes.get("started").asLong()).isEqualTo(server.orders.size());
            assertThat(outcomes.get("delivered").asLong()).isEqualTo(delivered);
            assertThat(outcomes.get("cancelled").asLong()).isEqualTo(cancelled);
            assertThat(outcomes.get("abandoned").asLong()).isZero();
            assertThat(outcomes.get("unfinished").asLong()).isBetween(0L, 48L);
            assertThat(o.out()).contains("== orderload summary").contains("[   1s]").contains("payment-outcome");
        }
    }

    @Test
    @Timeout(20)
    void countsRejectionsAndAbandonsTheOrder(@TempDir Path tmp) throws Exception {
        Path resultFile = tmp.resolve("result.json");
        try (FakeOrdersServer server = new FakeOrdersServer("test-key", 0, 3)) {
            ToolRun o = run("--url", server.url(), "--api-key", "test-key", "--rate", "max", "--max-commands", "600",
                    "--duration", "10s", "--orders", "6", "--concurrency", "4", "--cancel-fraction", "0", "--quiet",
                    "--out", resultFile.toString());
            assertThat(o.code()).as(o.err()).isZero();
            // The fake refuses every third ship; the generator must then leave that order alone.
            assertThat(server.violationSamples).isEmpty();
            JsonNode r = MAPPER.readTree(resultFile.toFile());
            assertThat(r.get("target_rate").isNull()).isTrue();
            assertThat(r.get("commands_sent").asLong()).isEqualTo(600).isEqualTo(server.received.get());
            long rejected = server.orders.values().stream().filter(x -> x.rejectedAt != null).count();
            assertThat(rejected).isPositive();
            assertThat(r.get("errors").asLong()).isEqualTo(rejected);
            assertThat(r.get("http_errors").get("422").asLong()).isEqualTo(rejected);
            assertThat(r.get("by_command").get("ship").get("errors").asLong()).isEqualTo(rejected);
            assertThat(r.get("order_outcomes").get("abandoned").asLong()).isEqualTo(rejected);
            assertThat(r.get("commands_ok").asLong()).isEqualTo(600 - rejected).isEqualTo(server.okCommands.get());
            assertThat(r.get("error_samples").get(0).asText()).startsWith("ship 422: carrier unavailable for order <order>");
        }
    }

    @Test
    void badFlagsAndAnUnreachableServer() throws Exception {
        assertThat(run("--rate", "fast", "--api-key", "k").code()).isEqualTo(2);
        assertThat(run("--nope", "1", "--api-key", "k").code()).isEqualTo(2);
        assertThat(run("--rate", "100").code()).isEqualTo(2); // no API key
        assertThat(run("--help").out()).contains("--orders");
        int port = ToolRun.freePort();
        ToolRun o = run("--url", "http://127.0.0.1:" + port, "--api-key", "k", "--duration", "1s");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("cannot reach");
        try (FakeOrdersServer server = new FakeOrdersServer("right", 0, 0)) {
            ToolRun refused = run("--url", server.url(), "--api-key", "wrong", "--duration", "1s");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("refused the API key");
        }
    }

    @Test
    void aSeedGivesTheSameOrders() throws Exception {
        OrderLoadGenerator.Flags f = OrderLoadGenerator.Flags.parse(new String[] {"--seed", "5", "--api-key", "k"}, Map.of());
        OrderLoadGenerator.Slot a = new OrderLoadGenerator.Slot();
        OrderLoadGenerator.Slot b = new OrderLoadGenerator.Slot();
        OrderLoadGenerator.newOrder(a, 17, "run1", f);
        OrderLoadGenerator.newOrder(b, 17, "run2", f);
        assertThat(a.createBody.replace("run1", "run2")).isEqualTo(b.createBody);
        assertThat(a.total).isEqualByComparingTo(b.total);
        JsonNode body = MAPPER.readTree(a.createBody);
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        for (JsonNode item : body.get("items")) {
            assertThat(item.get("price").decimalValue().toPlainString()).endsWith(".99");
            total = total.add(item.get("price").decimalValue().multiply(java.math.BigDecimal.valueOf(item.get("quantity").asInt())));
        }
        assertThat(total).isEqualByComparingTo(a.total);
        assertThat(OrderLoadGenerator.body(a, OrderLoadGenerator.Cmd.PAY)).isEqualTo("{\"amount\":" + a.total.toPlainString() + "}");
    }
}
