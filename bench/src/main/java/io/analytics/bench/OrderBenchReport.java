package io.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Aggregates the files written by {@code bench/orders.sh} into one result document and prints the
 * markdown table plus the rebuild line.
 *
 * <p>Input directory: {@code meta.json}; per run {@code run-<rate>-<n>.json} ({@link OrderLoadGenerator}'s
 * {@code --out}) and {@code run-<rate>-<n>.server.json} (what the script sampled: {@code loadgen_exit},
 * {@code server_cpu_cores}, ...); optionally {@code fill.json} (how the journal was filled for the rebuild,
 * with the {@code fill-<k>.json} generator results) and {@code rebuild.json} ({@link RebuildTimer}'s output)
 * with {@code rebuild.server.json}.
 *
 * <p>Usage: {@code OrderBenchReport --dir DIR --out FILE}
 */
public final class OrderBenchReport {

    private static final ObjectMapper MAPPER = BenchUtil.MAPPER;
    private static final Pattern RUN_FILE = Pattern.compile("run-(\\d+(?:\\.\\d+)?)-(\\d+)\\.server\\.json");
    private static final Pattern FILL_FILE = Pattern.compile("fill-(\\d+)\\.json");
    /** The targets. */
    static final double TARGET_COMMANDS_PER_S = 5000;
    static final double TARGET_P99_MS = 50;
    static final long TARGET_REBUILD_EVENTS = 1_000_000;
    static final double TARGET_REBUILD_S = 120;

    private OrderBenchReport() {}

    public static void main(String[] args) {
        BenchUtil.reportMain("order-bench-report", "OrderBenchReport", args, OrderBenchReport::build, OrderBenchReport::table);
    }

    static ObjectNode build(Path dir) throws IOException {
        ObjectNode report = MAPPER.createObjectNode();
        JsonNode meta = read(dir.resolve("meta.json"));
        report.set("meta", meta == null ? MAPPER.createObjectNode() : meta);

        TreeMap<Double, TreeMap<Integer, ObjectNode>> byRate = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                Matcher m = RUN_FILE.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                double rate = Double.parseDouble(m.group(1));
                int run = Integer.parseInt(m.group(2));
                ObjectNode entry = MAPPER.createObjectNode();
                entry.put("rate", rate);
                entry.put("run", run);
                entry.set("server", read(p));
                JsonNode result = read(dir.resolve("run-" + m.group(1) + "-" + m.group(2) + ".json"));
                entry.set("result", result);
                byRate.computeIfAbsent(rate, r -> new TreeMap<>()).put(run, entry);
            }
        }
        ArrayNode runs = report.putArray("runs");
        ArrayNode medians = report.putArray("medians");
        boolean postgres = report.get("meta").path("postgres").asBoolean(false);
        for (var rateEntry : byRate.entrySet()) {
            List<JsonNode> ok = new ArrayList<>();
            long errors = 0;
            long shortfall = 0;
            long failedRuns = 0;
            double maxMs = Double.NaN;
            for (ObjectNode run : rateEntry.getValue().values()) {
                runs.add(run);
                JsonNode result = run.get("result");
                if (result == null || result.isNull() || run.path("server").path("loadgen_exit").asInt(0) != 0) {
                    failedRuns++;
                    continue;
                }
                ok.add(run);
                errors += result.path("errors").asLong();
                shortfall += result.path("shortfall_commands").asLong();
                double max = result.path("latency_ms").path("max").asDouble(Double.NaN);
                maxMs = Double.isNaN(maxMs) ? max : Math.max(maxMs, max);
            }
            ObjectNode m = medians.addObject();
            m.put("rate", rateEntry.getKey());
            m.put("runs", rateEntry.getValue().size());
            m.put("failed_runs", failedRuns);
            putMedian(m, "commands_per_s", ok, r -> r.path("result").path("commands_per_s"));
            putMedian(m, "latency_p50_ms", ok, r -> r.path("result").path("latency_ms").path("p50"));
            putMedian(m, "latency_p90_ms", ok, r -> r.path("result").path("latency_ms").path("p90"));
            putMedian(m, "latency_p99_ms", ok, r -> r.path("result").path("latency_ms").path("p99"));
            putMedian(m, "latency_from_schedule_p99_ms", ok, r -> r.path("result").path("latency_from_schedule_ms").path("p99"));
            if (Double.isNaN(maxMs)) {
                m.putNull("latency_max_ms");
            } else {
                m.put("latency_max_ms", maxMs);
            }
            m.put("errors", errors);
            m.put("shortfall_commands", shortfall);
            putMedian(m, "server_cpu_cores", ok, r -> r.path("server").path("server_cpu_cores"));
            putMedian(m, "loadgen_cpu_s", ok, r -> r.path("server").path("loadgen_cpu_s"));
            putMedian(m, "postgres_cpu_cores", ok, r -> r.path("server").path("postgres_cpu_cores"));
            putMedian(m, "machine_busy_cores", ok, r -> r.path("server").path("machine_busy_cores"));
            putMedian(m, "server_cpu_ms_per_command", ok, r -> perCommand(r, "server_cpu_s"));
            putMedian(m, "postgres_cpu_ms_per_command", ok, r -> perCommand(r, "postgres_cpu_s"));
            putMedian(m, "loadgen_cpu_ms_per_command", ok, r -> perCommand(r, "loadgen_cpu_s"));
            putMedian(m, "orders_projection_handled_per_s", ok,
                    r -> r.path("result").path("projections").path("orders").path("handled_per_s"));
            putMedian(m, "orders_projection_lag_ms_at_end", ok,
                    r -> r.path("result").path("projections").path("orders").path("lag_ms_at_end"));
            ObjectNode byCommand = m.putObject("p99_ms_by_command");
            for (OrderLoadGenerator.Cmd c : OrderLoadGenerator.Cmd.values()) {
                putMedian(byCommand, c.path, ok, r -> r.path("result").path("by_command").path(c.path).path("latency_ms").path("p99"));
            }
            JsonNode cps = m.get("commands_per_s");
            JsonNode p99 = m.get("latency_p99_ms");
            boolean meets = !ok.isEmpty() && cps.isNumber() && p99.isNumber() && errors == 0
                    && cps.asDouble() >= TARGET_COMMANDS_PER_S * 0.99 && p99.asDouble() < TARGET_P99_MS;
            m.put("meets_command_target", meets);
        }

        // ---- the rebuild
        JsonNode fill = read(dir.resolve("fill.json"));
        if (fill != null) {
            ObjectNode fillNode = fill.deepCopy();
            ArrayNode fills = fillNode.putArray("runs");
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.sorted().toList()) {
                    if (FILL_FILE.matcher(p.getFileName().toString()).matches()) {
                        JsonNode r = read(p);
                        if (r != null) {
                            ObjectNode brief = fills.addObject();
                            for (String field : List.of("commands_sent", "commands_ok", "errors", "active_s", "commands_per_s",
                                    "orders", "concurrency", "http_status", "latency_ms", "error_samples")) {
                                brief.set(field, r.get(field));
                            }
                        }
                    }
                }
            }
            report.set("fill", fillNode);
        }
        JsonNode catchUp = read(dir.resolve("catchup.json"));
        JsonNode rebuild = read(dir.resolve("rebuild.json"));
        if (catchUp != null || rebuild != null) {
            ObjectNode r = report.putObject("rebuild");
            if (catchUp != null && catchUp.has("catch_up")) {
                r.set("catch_up", catchUp.get("catch_up"));
            }
            if (rebuild != null && rebuild.has("rebuild")) {
                r.set("rebuild", rebuild.get("rebuild"));
            }
            JsonNode server = read(dir.resolve("rebuild.server.json"));
            if (server != null) {
                r.set("server", server);
            }
        }

        ObjectNode targets = report.putObject("targets");
        ObjectNode commands = targets.putObject("commands");
        commands.put("min_commands_per_s", TARGET_COMMANDS_PER_S);
        commands.put("max_p99_ms", TARGET_P99_MS);
        commands.put("journal", postgres ? "postgresql" : "h2 (embedded; the target is for PostgreSQL)");
        ArrayNode metAt = commands.putArray("met_at_rates");
        for (JsonNode m : medians) {
            if (m.path("meets_command_target").asBoolean()) {
                metAt.add(m.get("rate").asDouble());
            }
        }
        ObjectNode rebuildTarget = targets.putObject("rebuild");
        rebuildTarget.put("events", TARGET_REBUILD_EVENTS);
        rebuildTarget.put("max_s", TARGET_REBUILD_S);
        JsonNode rb = report.path("rebuild").path("rebuild");
        if (rb.path("state").asText().equals("done") && rb.path("events_per_s").asDouble() > 0) {
            double perS = rb.get("events_per_s").asDouble();
            double projected = TARGET_REBUILD_EVENTS / perS;
            rebuildTarget.put("applied", rb.path("applied").asLong());
            rebuildTarget.put("seconds", rb.path("seconds").asDouble());
            rebuildTarget.put("projected_s_for_target_events", Math.round(projected * 10) / 10.0);
            if (rb.path("applied").asLong() >= TARGET_REBUILD_EVENTS) {
                rebuildTarget.put("met", rb.path("seconds").asDouble() < TARGET_REBUILD_S);
            } else {
                rebuildTarget.putNull("met");
                rebuildTarget.put("note", "journal smaller than the target's " + TARGET_REBUILD_EVENTS
                        + " events; projected_s_for_target_events assumes the same events/s");
            }
        } else {
            rebuildTarget.putNull("met");
        }
        return report;
    }

    static String table(JsonNode report) {
        StringBuilder b = new StringBuilder();
        JsonNode meta = report.path("meta");
        b.append(String.format(Locale.ROOT, "Orders benchmark, journal on %s, %s × %d run(s) per rate%n%n",
                meta.path("postgres").asBoolean(false) ? "PostgreSQL" : "H2 (embedded)",
                meta.path("duration").asText("?"), meta.path("runs_per_rate").asInt(0)));
        b.append("| rate target | commands/s | p50 ms | p99 ms | errors |\n");
        b.append("|---:|---:|---:|---:|---:|\n");
        for (JsonNode m : report.path("medians")) {
            String errors = count(m.get("errors"));
            if (m.path("shortfall_commands").asLong() > 0) {
                errors += " (+" + BenchUtil.fmt(m.get("shortfall_commands").asDouble()) + " not sent)";
            }
            if (m.path("failed_runs").asLong() > 0) {
                errors += " (" + m.get("failed_runs").asLong() + " run(s) failed)";
            }
            b.append("| ").append(BenchUtil.fmt(m.get("rate").asDouble()))
                    .append(" | ").append(count(m.get("commands_per_s")))
                    .append(" | ").append(ms(m.get("latency_p50_ms")))
                    .append(" | ").append(ms(m.get("latency_p99_ms")))
                    .append(" | ").append(errors).append(" |\n");
        }
        b.append('\n');
        b.append("| rate target | machine busy cores | server cores | postgres cores | server CPU ms/command | postgres CPU ms/command"
                + " | generator CPU ms/command | orders projection events/s | its lag at end ms |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode m : report.path("medians")) {
            b.append("| ").append(BenchUtil.fmt(m.get("rate").asDouble()))
                    .append(" | ").append(fixed(m.get("machine_busy_cores"), 2))
                    .append(" | ").append(fixed(m.get("server_cpu_cores"), 2))
                    .append(" | ").append(fixed(m.get("postgres_cpu_cores"), 2))
                    .append(" | ").append(fixed(m.get("server_cpu_ms_per_command"), 2))
                    .append(" | ").append(fixed(m.get("postgres_cpu_ms_per_command"), 2))
                    .append(" | ").append(fixed(m.get("loadgen_cpu_ms_per_command"), 2))
                    .append(" | ").append(count(m.get("orders_projection_handled_per_s")))
                    .append(" | ").append(count(m.get("orders_projection_lag_ms_at_end"))).append(" |\n");
        }
        b.append('\n');
        JsonNode commands = report.path("targets").path("commands");
        List<String> met = new ArrayList<>();
        commands.path("met_at_rates").forEach(r -> met.add(BenchUtil.fmt(r.asDouble())));
        b.append(String.format(Locale.ROOT, "Command target (>= %s commands/s, p99 < %s ms, no errors; journal %s): %s%n",
                BenchUtil.fmt(TARGET_COMMANDS_PER_S), BenchUtil.fmt(TARGET_P99_MS),
                commands.path("journal").asText(), met.isEmpty() ? "not met at any measured rate"
                        : "met at " + String.join(", ", met) + " commands/s"));
        b.append(rebuildLine(report)).append('\n');
        JsonNode fill = report.path("fill");
        if (!fill.isMissingNode() && fill.path("journal_events_after").asLong() > fill.path("journal_events_before").asLong()) {
            b.append(String.format(Locale.ROOT, "Journal fill for the rebuild: %s order events in %.0f s (%s commands/s, unthrottled)%n",
                    count(MAPPER.getNodeFactory().numberNode(fill.path("journal_events_after").asLong()
                            - fill.path("journal_events_before").asLong())),
                    fill.path("seconds").asDouble(), count(fill.get("events_per_s"))));
        }
        return b.toString();
    }

    static String rebuildLine(JsonNode report) {
        JsonNode rebuild = report.path("rebuild");
        JsonNode rb = rebuild.path("rebuild");
        JsonNode fill = report.path("fill");
        if (rebuild.isMissingNode() || rb.isMissingNode()) {
            JsonNode catchUp = rebuild.path("catch_up");
            if (!catchUp.isMissingNode() && !catchUp.path("reached").asBoolean()) {
                return String.format(Locale.ROOT, "Rebuild: not run: the live projection handled only %s of %s events within %s s",
                        count(catchUp.get("events_handled")), count(catchUp.get("expected")), catchUp.path("waited_s").asText());
            }
            if (!fill.isMissingNode() && !fill.path("reached").asBoolean()) {
                return String.format(Locale.ROOT, "Rebuild: not measured: the journal reached only %s of %s order events",
                        count(fill.get("journal_events_after")), count(fill.get("target_events")));
            }
            return "Rebuild: not measured";
        }
        StringBuilder b = new StringBuilder();
        String state = rb.path("state").asText();
        if (!state.equals("done")) {
            b.append("Rebuild: ").append(state).append(" after ").append(BenchUtil.fmt(rb.path("applied").asDouble()))
                    .append(" events");
            if (rb.hasNonNull("error")) {
                b.append(": ").append(rb.get("error").asText());
            }
            return b.toString();
        }
        long applied = rb.path("applied").asLong();
        double seconds = rb.path("seconds").asDouble();
        b.append(String.format(Locale.ROOT, "Rebuild: %s events in %.1f s (%s events/s)", BenchUtil.fmt(applied), seconds,
                BenchUtil.fmt(Math.round(rb.path("events_per_s").asDouble()))));
        JsonNode t = report.path("targets").path("rebuild");
        if (t.path("met").isBoolean()) {
            b.append(String.format(Locale.ROOT, "; target %s events in < %.0f s: %s", BenchUtil.fmt(TARGET_REBUILD_EVENTS),
                    TARGET_REBUILD_S, t.get("met").asBoolean() ? "met" : "NOT met"));
        } else if (t.has("projected_s_for_target_events")) {
            b.append(String.format(Locale.ROOT, "; at that rate %s events would take ≈ %.0f s (target < %.0f s)",
                    BenchUtil.fmt(TARGET_REBUILD_EVENTS), t.get("projected_s_for_target_events").asDouble(), TARGET_REBUILD_S));
        }
        JsonNode cu = rebuild.path("catch_up");
        if (!cu.isMissingNode() && cu.path("reached").asBoolean()) {
            b.append(String.format(Locale.ROOT, "; live projection caught up %.1f s after the journal was filled", cu.path("waited_s").asDouble()));
        } else if (!cu.isMissingNode()) {
            b.append(String.format(Locale.ROOT, "; the live projection had NOT caught up (%s of %s events after %.0f s), so the rebuild"
                            + " competed with it", count(cu.get("events_handled")), count(cu.get("expected")), cu.path("waited_s").asDouble()));
        }
        JsonNode cpu = rebuild.path("server").path("server_cpu_cores");
        if (cpu.isNumber()) {
            b.append(String.format(Locale.ROOT, "; server CPU %.2f cores", cpu.asDouble()));
        }
        return b.toString();
    }

    /** CPU milliseconds of {@code field} (server.json) per successful command of the run; null when unknown. */
    private static JsonNode perCommand(JsonNode run, String field) {
        JsonNode cpu = run.path("server").path(field);
        long commands = run.path("result").path("commands_ok").asLong();
        if (!cpu.isNumber() || commands <= 0) {
            return null;
        }
        return MAPPER.getNodeFactory().numberNode(Math.round(cpu.asDouble() * 1e6 / commands) / 1000.0);
    }

    private static JsonNode read(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return null;
        }
        try {
            return MAPPER.readTree(p.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static void putMedian(ObjectNode m, String field, List<JsonNode> runs, Function<JsonNode, JsonNode> value) {
        BenchUtil.putMedian(m, field, runs, value, 1000);
    }

    private static String count(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? "n/a" : BenchUtil.fmt(Math.round(n.asDouble()));
    }

    private static String fixed(JsonNode n, int decimals) {
        return n == null || n.isNull() || n.isMissingNode() ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", n.asDouble());
    }

    private static String ms(JsonNode n) {
        return BenchUtil.reportMs(n);
    }
}
