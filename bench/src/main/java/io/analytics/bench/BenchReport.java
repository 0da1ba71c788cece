package io.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
 * <p>Usage: {@code BenchReport --dir DIR --out FILE}
 */
public final class BenchReport {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern RUN_FILE = Pattern.compile("run-(\\d+(?:\\.\\d+)?)-(\\d+)\\.server\\.json");

    private BenchReport() {}

    public static void main(String[] args) {
        Path dir = null;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> {
                    System.err.println("bench-report: unknown flag " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (dir == null || out == null) {
            System.err.println("usage: BenchReport --dir DIR --out FILE");
            System.exit(2);
        }
        try {
            ObjectNode report = build(dir);
            Files.createDirectories(out.toAbsolutePath().getParent());
            MAPPER.writeValue(out.toFile(), report);
            System.out.print(table(report));
        } catch (IOException e) {
            System.err.println("bench-report: " + e.getMessage());
            System.exit(1);
        }
    }

    static ObjectNode build(Path dir) throws IOException {
        ObjectNode report = MAPPER.createObjectNode();
        Path meta = dir.resolve("meta.json");
        report.set("meta", Files.exists(meta) ? MAPPER.readTree(meta.toFile()) : MAPPER.createObjectNode());

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
        });
        return report;
    }

    private static void putMedian(ObjectNode m, String field, List<JsonNode> runs, Function<JsonNode, JsonNode> value) {
        List<Double> values = new ArrayList<>();
        for (JsonNode r : runs) {
            JsonNode v = value.apply(r);
            if (v != null && v.isNumber()) {
                values.add(v.asDouble());
            }
        }
        if (values.isEmpty()) {
            m.putNull(field);
            return;
        }
        values.sort(Double::compare);
        int n = values.size();
        double median = n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
        m.put(field, Math.round(median * 100) / 100.0);
    }

    static String table(JsonNode report) {
        StringBuilder b = new StringBuilder();
        b.append("| rate target | accepted/s (median) | e2e events/s | ingest p50/p99 ms | freshness p50/p99 ms | peak RSS MB | server CPU (cores) |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|\n");
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
                    .append(" |\n");
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

    private static String ms(JsonNode n) {
        if (n == null || n.isNull()) {
            return "n/a";
        }
        double v = n.asDouble();
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
