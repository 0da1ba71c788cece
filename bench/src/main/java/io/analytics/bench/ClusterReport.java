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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Aggregates the files written by {@code bench/cluster.sh} into one result document and prints the
 * markdown table: per cluster size, the sustained throughput in total and per node, and what clustering
 * costs, as server CPU per event against the single node.
 *
 * <p>Input directory: {@code meta.json}, and per run {@code run-<nodes>-<rate>-<n>.server.json} (what the
 * script measured: {@code send_s}, {@code drain_s}, {@code drained}, {@code events}, {@code nodes_cpu_s},
 * {@code broker_cpu_s}, {@code load_before}, {@code load_after}) plus one {@code run-<nodes>-<rate>-<n>.node-<i>.json}
 * per node (the output of the load generator that drove node {@code i}).
 *
 * <p>Usage: {@code ClusterReport --dir DIR --out FILE}
 */
public final class ClusterReport {

    private static final ObjectMapper MAPPER = BenchUtil.MAPPER;
    private static final Pattern RUN_FILE = Pattern.compile("run-(\\d+)-(\\d+)-(\\d+)\\.server\\.json");

    private ClusterReport() {}

    public static void main(String[] args) {
        BenchUtil.reportMain("cluster-report", "ClusterReport", args, ClusterReport::build, ClusterReport::table);
    }

    static ObjectNode build(Path dir) throws IOException {
        ObjectNode report = BenchUtil.reportWithMeta(dir);
        TreeMap<Integer, List<ObjectNode>> bySize = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                Matcher m = RUN_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    int nodes = Integer.parseInt(m.group(1));
                    bySize.computeIfAbsent(nodes, n -> new ArrayList<>()).add(run(dir, p, nodes, m));
                }
            }
        }
        ArrayNode sizes = report.putArray("cluster_sizes");
        Double singleCpuPerEvent = null;
        for (var size : bySize.entrySet()) {
            ObjectNode summary = summary(size.getKey(), size.getValue());
            double cpuPerEvent = summary.path("median_server_cpu_ms_per_1k_events").asDouble(Double.NaN);
            if (size.getKey() == 1) {
                singleCpuPerEvent = cpuPerEvent;
            }
            if (singleCpuPerEvent != null && !Double.isNaN(cpuPerEvent)) {
                summary.put("cpu_per_event_vs_one_node", BenchUtil.round(cpuPerEvent / singleCpuPerEvent, 3));
            }
            sizes.add(summary);
        }
        return report;
    }

    /** One run: the script's measurements, the load generators' results, and what follows from them. */
    private static ObjectNode run(Path dir, Path serverFile, int nodes, Matcher m) throws IOException {
        ObjectNode run = MAPPER.createObjectNode();
        run.put("rate", Long.parseLong(m.group(2)));
        run.put("run", Integer.parseInt(m.group(3)));
        JsonNode server = MAPPER.readTree(serverFile.toFile());
        run.set("server", server);
        ArrayNode loadgens = run.putArray("loadgens");
        double acceptedPerS = 0;
        double freshnessP99 = Double.NaN;
        for (int i = 0; i < nodes; i++) {
            Path result = dir.resolve("run-" + m.group(1) + "-" + m.group(2) + "-" + m.group(3) + ".node-" + i + ".json");
            JsonNode loadgen = Files.exists(result) && Files.size(result) > 0 ? MAPPER.readTree(result.toFile()) : MAPPER.nullNode();
            loadgens.add(loadgen);
            acceptedPerS += loadgen.path("accepted_per_s").asDouble(0);
            JsonNode p99 = loadgen.path("freshness_ms").path("p99");
            if (p99.isNumber()) {
                freshnessP99 = Double.isNaN(freshnessP99) ? p99.asDouble() : Math.max(freshnessP99, p99.asDouble());
            }
        }
        double events = server.path("events").asDouble(0);
        double wall = server.path("send_s").asDouble(0) + server.path("drain_s").asDouble(0);
        run.put("accepted_per_s", BenchUtil.round(acceptedPerS, 1));
        run.put("processed_per_s", wall > 0 ? BenchUtil.round(events / wall, 1) : 0);
        run.put("processed_per_s_per_node", wall > 0 ? BenchUtil.round(events / wall / nodes, 1) : 0);
        run.put("server_cpu_ms_per_1k_events", events > 0
                ? BenchUtil.round(server.path("nodes_cpu_s").asDouble(0) * 1e6 / events, 2) : 0);
        if (Double.isNaN(freshnessP99)) {
            run.putNull("worst_node_freshness_p99_ms"); // no probe was seen: the load generators say why
        } else {
            run.put("worst_node_freshness_p99_ms", BenchUtil.round(freshnessP99, 1));
        }
        return run;
    }

    private static ObjectNode summary(int nodes, List<ObjectNode> runs) {
        ObjectNode summary = MAPPER.createObjectNode();
        summary.put("nodes", nodes);
        summary.put("runs_count", runs.size());
        summary.put("all_drained", runs.stream().allMatch(r -> r.path("server").path("drained").asBoolean(false)));
        for (String field : List.of("accepted_per_s", "processed_per_s", "processed_per_s_per_node",
                "server_cpu_ms_per_1k_events", "worst_node_freshness_p99_ms")) {
            BenchUtil.putMedian(summary, "median_" + field, new ArrayList<>(runs), r -> r.get(field), 100);
        }
        summary.set("runs", MAPPER.valueToTree(runs));
        return summary;
    }

    static String table(JsonNode report) {
        StringBuilder b = new StringBuilder();
        b.append("| nodes | offered ev/s | accepted ev/s | processed ev/s | per node | CPU ms / 1k events | vs 1 node | freshness p99 (worst node) | drained | load avg |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---|\n");
        for (JsonNode size : report.path("cluster_sizes")) {
            JsonNode first = size.path("runs").path(0);
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s ms | %s | %s → %s |%n",
                    size.path("nodes").asInt(), first.path("rate").asText(),
                    BenchUtil.num(size.path("median_accepted_per_s")), BenchUtil.num(size.path("median_processed_per_s")),
                    BenchUtil.num(size.path("median_processed_per_s_per_node")),
                    BenchUtil.num(size.path("median_server_cpu_ms_per_1k_events")),
                    size.has("cpu_per_event_vs_one_node") ? size.get("cpu_per_event_vs_one_node").asText() + "×" : "-",
                    BenchUtil.num(size.path("median_worst_node_freshness_p99_ms")),
                    size.path("all_drained").asBoolean() ? "yes" : "NO",
                    first.path("server").path("load_before").asText("?"), first.path("server").path("load_after").asText("?")));
        }
        return b.toString();
    }
}
