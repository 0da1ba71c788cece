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
 * Aggregates the per-run files written by {@code bench/run.sh} into one result document with per-rate
 * medians, and prints the markdown table.
 *
 * <p>Input directory: {@code meta.json} (optional), and per run {@code run-<rate>-<n>.json} (the load
 * generator's {@code --out}) plus {@code run-<rate>-<n>.server.json} (what the script sampled:
 * {@code loadgen_exit}, {@code server_rss_peak_mb}, {@code server_cpu_s}, {@code server_cpu_cores},
 * {@code loadgen_cpu_s}, {@code wall_s}).
 *
 * <p>The peer (see bench/README.md), when run: {@code peer-setup.json} (written by {@link KafkaPeer}), and per
 * peer run {@code peer-<rate>-<n>.log} (the output of Kafka's {@code ProducerPerformance}) plus
 * {@code peer-<rate>-<n>.server.json} ({@code peer_exit}, {@code records_expected}, {@code wall_s},
 * {@code server_cpu_s}, {@code server_cpu_cores}, {@code peer_cpu_s}, {@code idle_wait_s},
 * {@code idle_server_cores}, {@code idle}). Per rate, the median of the peer's records/s is reported with the
 * ratio {@code e2e_events_per_s / peer_events_per_s}.
 *
 * <p>Usage: {@code BenchReport --dir DIR --out FILE}
 */
public final class BenchReport {

    private static final ObjectMapper MAPPER = BenchUtil.MAPPER;
    private static final Pattern RUN_FILE = Pattern.compile("run-(\\d+(?:\\.\\d+)?)-(\\d+)\\.server\\.json");
    private static final Pattern PEER_FILE = Pattern.compile("peer-(\\d+(?:\\.\\d+)?)-(\\d+)\\.server\\.json");
    /** ProducerPerformance's closing line (printf with %d, %f, %.2f; run.sh pins the locale to en_US). */
    private static final Pattern PEER_TOTAL = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, "
                    + "([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99\\.9th\\.?");

    private BenchReport() {}

    public static void main(String[] args) {
        BenchUtil.reportMain("bench-report", "BenchReport", args, BenchReport::build, BenchReport::table);
    }

    static ObjectNode build(Path dir) throws IOException {
        ObjectNode report = BenchUtil.reportWithMeta(dir);

        TreeMap<Double, TreeMap<Integer, ObjectNode>> byRate = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = RUN_FILE.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                double rate = Double.parseDouble(m.group(1));
                int n = Integer.parseInt(m.group(2));
                ObjectNode run = MAPPER.createObjectNode();
                run.put("rate", rate);
                run.put("run", n);
                run.set("server", MAPPER.readTree(p.toFile()));
                Path result = dir.resolve("run-" + m.group(1) + "-" + m.group(2) + ".json");
                if (Files.exists(result) && Files.size(result) > 0) {
                    try {
                        run.set("result", MAPPER.readTree(result.toFile()));
                    } catch (IOException e) {
                        run.putNull("result");
                    }
                } else {
                    run.putNull("result");
                }
                byRate.computeIfAbsent(rate, r -> new TreeMap<>()).put(n, run);
            }
        }

        TreeMap<Double, TreeMap<Integer, ObjectNode>> peerByRate = readPeerRuns(dir);
        Path peerSetup = dir.resolve("peer-setup.json");
        List<JsonNode> allPeerOk = new ArrayList<>();

        ArrayNode runs = report.putArray("runs");
        ArrayNode medians = report.putArray("medians");
        byRate.forEach((rate, rs) -> {
            List<JsonNode> ok = new ArrayList<>();
            double peakRss = Double.NaN;
            for (ObjectNode run : rs.values()) {
                runs.add(run);
                JsonNode result = run.get("result");
                if (result != null && !result.isNull() && run.path("server").path("loadgen_exit").asInt(1) == 0) {
                    ok.add(run);
                }
                double rss = run.path("server").path("server_rss_peak_mb").asDouble(Double.NaN);
                if (!Double.isNaN(rss)) {
                    peakRss = Double.isNaN(peakRss) ? rss : Math.max(peakRss, rss);
                }
            }
            ObjectNode m = medians.addObject();
            m.put("rate", rate);
            m.put("runs", rs.size());
            m.put("runs_ok", ok.size());
            long drained = ok.stream().filter(r -> r.get("result").path("drained").asBoolean(false)).count();
            m.put("runs_drained", drained);
            putMedian(m, "accepted_per_s", ok, r -> r.get("result").get("accepted_per_s"));
            putMedian(m, "e2e_events_per_s", ok, r -> r.get("result").get("e2e_events_per_s"));
            putMedian(m, "ingest_p50_ms", ok, r -> r.get("result").path("ingest_ms").get("p50"));
            putMedian(m, "ingest_p99_ms", ok, r -> r.get("result").path("ingest_ms").get("p99"));
            putMedian(m, "freshness_p50_ms", ok, r -> r.get("result").path("freshness_ms").get("p50"));
            putMedian(m, "freshness_p99_ms", ok, r -> r.get("result").path("freshness_ms").get("p99"));
            putMedian(m, "drain_s", ok, r -> r.get("result").get("drain_s"));
            putMedian(m, "shortfall_events", ok, r -> r.get("result").get("shortfall_events"));
            putMedian(m, "server_cpu_cores", ok, r -> r.get("server").get("server_cpu_cores"));
            putMedian(m, "loadgen_cpu_s", ok, r -> r.get("server").get("loadgen_cpu_s"));
            if (Double.isNaN(peakRss)) {
                m.putNull("peak_rss_mb");
            } else {
                m.put("peak_rss_mb", peakRss);
            }

            TreeMap<Integer, ObjectNode> peerRuns = peerByRate.getOrDefault(rate, new TreeMap<>());
            List<JsonNode> peerOk = peerRuns.values().stream().filter(BenchReport::peerOk).map(r -> (JsonNode) r).toList();
            allPeerOk.addAll(peerOk);
            m.put("peer_runs", peerRuns.size());
            m.put("peer_runs_ok", peerOk.size());
            putMedian(m, "peer_events_per_s", peerOk, r -> r.get("result").get("records_per_s"));
            putMedian(m, "peer_mb_per_s", peerOk, r -> r.get("result").get("mb_per_s"));
            putMedian(m, "peer_latency_p99_ms", peerOk, r -> r.get("result").get("latency_p99_ms"));
            putMedian(m, "peer_server_cpu_cores", peerOk, r -> r.get("server").get("server_cpu_cores"));
            putMedian(m, "peer_client_cpu_s", peerOk, r -> r.get("server").get("peer_cpu_s"));
            putRatio(m, "e2e_to_peer_ratio", m.get("e2e_events_per_s"), m.get("peer_events_per_s"));
            putRatio(m, "accepted_to_peer_ratio", m.get("accepted_per_s"), m.get("peer_events_per_s"));
        });

        if (Files.exists(peerSetup) || !peerByRate.isEmpty()) {
            ObjectNode peer = report.putObject("peer");
            peer.put("tool", "org.apache.kafka.tools.ProducerPerformance");
            peer.set("setup", Files.exists(peerSetup) ? MAPPER.readTree(peerSetup.toFile()) : MAPPER.createObjectNode());
            ArrayNode peerRuns = peer.putArray("runs");
            peerByRate.values().forEach(rs -> rs.values().forEach(peerRuns::add));
            peer.put("runs_ok", allPeerOk.size());
            putMedian(peer, "median_events_per_s", allPeerOk, r -> r.get("result").get("records_per_s"));
        } else {
            report.putNull("peer");
        }
        return report;
    }

    private static TreeMap<Double, TreeMap<Integer, ObjectNode>> readPeerRuns(Path dir) throws IOException {
        TreeMap<Double, TreeMap<Integer, ObjectNode>> byRate = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = PEER_FILE.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                double rate = Double.parseDouble(m.group(1));
                int n = Integer.parseInt(m.group(2));
                ObjectNode run = MAPPER.createObjectNode();
                run.put("rate", rate);
                run.put("run", n);
                run.set("server", MAPPER.readTree(p.toFile()));
                Path log = dir.resolve("peer-" + m.group(1) + "-" + m.group(2) + ".log");
                ObjectNode result = Files.exists(log) ? parsePeerOutput(Files.readString(log)) : null;
                if (result == null) {
                    run.putNull("result");
                } else {
                    run.set("result", result);
                }
                byRate.computeIfAbsent(rate, r -> new TreeMap<>()).put(n, run);
            }
        }
        return byRate;
    }

    /** The closing summary of ProducerPerformance's output, or null if there is none (the run failed). */
    static ObjectNode parsePeerOutput(String output) {
        ObjectNode last = null;
        for (String line : output.split("\\R")) {
            Matcher m = PEER_TOTAL.matcher(line.trim());
            if (m.matches()) {
                last = MAPPER.createObjectNode();
                last.put("records_sent", Long.parseLong(m.group(1)));
                last.put("records_per_s", Double.parseDouble(m.group(2)));
                last.put("mb_per_s", Double.parseDouble(m.group(3)));
                last.put("latency_avg_ms", Double.parseDouble(m.group(4)));
                last.put("latency_max_ms", Double.parseDouble(m.group(5)));
                last.put("latency_p50_ms", Long.parseLong(m.group(6)));
                last.put("latency_p95_ms", Long.parseLong(m.group(7)));
                last.put("latency_p99_ms", Long.parseLong(m.group(8)));
                last.put("latency_p999_ms", Long.parseLong(m.group(9)));
            }
        }
        return last;
    }

    /** Exited 0, printed its summary, and every record was acknowledged. */
    private static boolean peerOk(JsonNode run) {
        JsonNode result = run.get("result");
        if (result == null || result.isNull() || run.path("server").path("peer_exit").asInt(1) != 0) {
            return false;
        }
        JsonNode expected = run.path("server").get("records_expected");
        return expected == null || !expected.isNumber()
                || result.path("records_sent").asLong(-1) == expected.asLong();
    }

    private static void putRatio(ObjectNode m, String field, JsonNode ours, JsonNode peer) {
        if (ours == null || !ours.isNumber() || peer == null || !peer.isNumber() || peer.asDouble() <= 0) {
            m.putNull(field);
        } else {
            m.put(field, Math.round(ours.asDouble() / peer.asDouble() * 10_000) / 10_000.0);
        }
    }

    private static void putMedian(ObjectNode m, String field, List<JsonNode> runs, Function<JsonNode, JsonNode> value) {
        BenchUtil.putMedian(m, field, runs, value, 100);
    }

    static String table(JsonNode report) {
        StringBuilder b = new StringBuilder();
        b.append("| rate target | accepted/s (median) | e2e events/s | ingest p50/p99 ms | freshness p50/p99 ms | peak RSS MB | server CPU (cores) | peer events/s | e2e ÷ peer |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<String> footnotes = new ArrayList<>();
        for (JsonNode m : report.get("medians")) {
            String rate = count(m.get("rate"));
            String e2e = count(m.get("e2e_events_per_s"));
            int ok = m.get("runs_ok").asInt();
            long drained = m.get("runs_drained").asLong();
            if (ok > 0 && drained < ok) {
                e2e += " *";
                footnotes.add("* " + rate + " ev/s: only " + drained + " of " + ok
                        + " runs drained within the timeout; e2e is the median of the drained runs");
            }
            if (ok < m.get("runs").asInt()) {
                footnotes.add(rate + " ev/s: " + (m.get("runs").asInt() - ok) + " of " + m.get("runs").asInt()
                        + " load generator runs failed and are left out");
            }
            int peerRuns = m.path("peer_runs").asInt(0);
            int peerOk = m.path("peer_runs_ok").asInt(0);
            if (peerOk < peerRuns) {
                footnotes.add(rate + " ev/s: " + (peerRuns - peerOk) + " of " + peerRuns
                        + " peer runs failed and are left out");
            }
            if (m.path("shortfall_events").asDouble(0) > 0) {
                footnotes.add(rate + " ev/s: the server could not keep up; median shortfall "
                        + count(m.get("shortfall_events")) + " events not sent on schedule");
            }
            b.append("| ").append(rate)
                    .append(" | ").append(count(m.get("accepted_per_s")))
                    .append(" | ").append(e2e)
                    .append(" | ").append(ms(m.get("ingest_p50_ms"))).append(" / ").append(ms(m.get("ingest_p99_ms")))
                    .append(" | ").append(ms(m.get("freshness_p50_ms"))).append(" / ").append(ms(m.get("freshness_p99_ms")))
                    .append(" | ").append(count(m.get("peak_rss_mb")))
                    .append(" | ").append(m.get("server_cpu_cores") == null || m.get("server_cpu_cores").isNull()
                            ? "n/a" : String.format(Locale.ROOT, "%.2f", m.get("server_cpu_cores").asDouble()))
                    .append(" | ").append(count(m.get("peer_events_per_s")))
                    .append(" | ").append(ratio(m.get("e2e_to_peer_ratio")))
                    .append(" |\n");
        }
        footnotes.add(0, peerLine(report));
        JsonNode peerRuns = report.path("peer").path("runs");
        int busy = 0;
        double busiest = 0;
        for (JsonNode run : peerRuns) {
            if (!run.path("server").path("idle").asBoolean(true)) {
                busy++;
                busiest = Math.max(busiest, run.path("server").path("idle_server_cores").asDouble(0));
            }
        }
        if (busy > 0) {
            footnotes.add(busy + " of " + peerRuns.size() + " peer runs started before the platform was idle (up to "
                    + String.format(Locale.ROOT, "%.2f", busiest) + " server cores busy just before)");
        }
        for (String f : footnotes) {
            b.append('\n').append(f);
        }
        if (!footnotes.isEmpty()) {
            b.append('\n');
        }
        return b.toString();
    }

    private static String count(JsonNode n) {
        return n == null || n.isNull() ? "n/a" : String.format(Locale.ROOT, "%,d", Math.round(n.asDouble()));
    }

    private static String ratio(JsonNode n) {
        return n == null || n.isNull() ? "n/a" : String.format(Locale.ROOT, "%.3f", n.asDouble());
    }

    /** One line saying what the peer was. */
    private static String peerLine(JsonNode report) {
        JsonNode peer = report.get("peer");
        if (peer == null || peer.isNull()) {
            return "peer: none (e2e ÷ peer needs the peer; see bench/README.md)";
        }
        JsonNode setup = peer.path("setup");
        JsonNode meta = report.path("meta");
        StringBuilder b = new StringBuilder("peer: Kafka's ProducerPerformance");
        if (meta.has("peer_records")) {
            b.append(", ").append(count(meta.get("peer_records"))).append(" records per run");
        }
        if (setup.has("mean_record_bytes")) {
            b.append(" of ").append(count(setup.get("mean_record_bytes"))).append(" B (mean of ")
                    .append(count(setup.get("payload_events"))).append(" generated events)");
        }
        if (setup.has("topic")) {
            b.append(" to ").append(setup.get("topic").asText());
            if (setup.has("partitions")) {
                b.append(" (").append(setup.get("partitions").asInt()).append(" partitions, like ")
                        .append(setup.path("like_topic").asText("the raw topic")).append(")");
            }
        }
        b.append(" on the platform's embedded broker, unthrottled, with the platform idle, one run before each load run");
        if (meta.has("peer_producer_props")) {
            b.append("; producer ").append(meta.get("peer_producer_props").asText());
        }
        b.append("; median over all ").append(peer.path("runs_ok").asInt()).append(" runs ")
                .append(count(peer.get("median_events_per_s"))).append(" records/s");
        return b.toString();
    }

    private static String ms(JsonNode n) {
        return BenchUtil.reportMs(n);
    }
}
