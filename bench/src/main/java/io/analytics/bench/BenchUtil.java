package io.analytics.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/** Helpers shared by the bench tools: process entry points, flags, JSON results and number formatting. */
final class BenchUtil {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchUtil() {}

    // ------------------------------------------------------------------ entry points

    /** A tool's {@code run}: returns the process exit code. */
    interface Tool {
        int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws InterruptedException;
    }

    /** A tool's {@code main}: runs it and exits with its code (1, after {@code interrupted} if not null, when interrupted). */
    static void main(Tool tool, String[] args, String interrupted) {
        int code;
        try {
            code = tool.run(args, System.getenv(), System.out, System.err);
        } catch (InterruptedException e) {
            if (interrupted != null) {
                System.err.println(interrupted);
            }
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    /** Flag parsing as {@link Options#parse}. */
    interface FlagParser<T> {
        T parse(String[] args, Map<String, String> env) throws Options.BadFlagException, Options.HelpRequested;
    }

    /** Parsed flags, or (flags null) the exit code after printing the usage (0) or the flag error (2). */
    record Parsed<T>(T flags, int exit) {}

    static <T> Parsed<T> parseFlags(FlagParser<T> parser, String usage, String tool, String[] args, Map<String, String> env,
                                    PrintStream out, PrintStream err) {
        try {
            return new Parsed<>(parser.parse(args, env), 0);
        } catch (Options.HelpRequested h) {
            out.println(usage);
            return new Parsed<>(null, 0);
        } catch (Options.BadFlagException e) {
            err.println(tool + ": " + e.getMessage());
            err.println("Run with --help for the list of flags.");
            return new Parsed<>(null, 2);
        }
    }

    /**
     * One command-line argument {@code --name} or {@code --name=value}: {name, value or null}. Throws for
     * {@code --help}/{@code -h} and for anything not starting with {@code --}.
     */
    static String[] flag(String arg) throws Options.BadFlagException, Options.HelpRequested {
        if (arg.equals("--help") || arg.equals("-h")) {
            throw new Options.HelpRequested();
        }
        if (!arg.startsWith("--")) {
            throw new Options.BadFlagException("unexpected argument '" + arg + "' (flags start with --; see --help)");
        }
        String name = arg.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
            value = name.substring(eq + 1);
            name = name.substring(0, eq);
        }
        return new String[] {name, value};
    }

    static ScheduledExecutorService daemonScheduler(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    // ------------------------------------------------------------------ JSON files

    /** Writes {@code result} to {@code out} (creating its directory); false, after saying why on {@code err}, if it cannot. */
    static boolean writeResult(Path out, JsonNode result, String tool, PrintStream err) {
        try {
            write(out, result);
            return true;
        } catch (IOException e) {
            err.println(tool + ": cannot write " + out + ": " + e.getMessage());
            return false;
        }
    }

    static void write(Path out, JsonNode json) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        MAPPER.writeValue(out.toFile(), json);
    }

    /** Builds a report from a directory. */
    interface ReportBuilder {
        ObjectNode build(Path dir) throws IOException;
    }

    /** The {@code main} of a report: {@code --dir DIR --out FILE}; writes the report and prints its table. */
    static void reportMain(String tool, String className, String[] args, ReportBuilder build, Function<JsonNode, String> table) {
        Path dir = null;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> {
                    System.err.println(tool + ": unknown flag " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (dir == null || out == null) {
            System.err.println("usage: " + className + " --dir DIR --out FILE");
            System.exit(2);
        }
        try {
            ObjectNode report = build.build(dir);
            write(out, report);
            System.out.print(table.apply(report));
        } catch (IOException e) {
            System.err.println(tool + ": " + e.getMessage());
            System.exit(1);
        }
    }

    // ------------------------------------------------------------------ result documents

    /** A new report holding the run's {@code meta.json} of {@code dir} (empty when there is none). */
    static ObjectNode reportWithMeta(Path dir) throws IOException {
        ObjectNode report = MAPPER.createObjectNode();
        Path meta = dir.resolve("meta.json");
        report.set("meta", Files.exists(meta) ? MAPPER.readTree(meta.toFile()) : MAPPER.createObjectNode());
        return report;
    }

    /** {@code http_status} (all) and {@code http_errors} (all but 2xx) from status key -> count. */
    static void putStatuses(ObjectNode r, Map<String, LongAdder> statuses) {
        ObjectNode status = r.putObject("http_status");
        ObjectNode httpErrors = r.putObject("http_errors");
        new TreeMap<>(statuses).forEach((k, v) -> {
            status.put(k, v.sum());
            if (!(k.length() == 3 && k.charAt(0) == '2')) {
                httpErrors.put(k, v.sum());
            }
        });
    }

    /** {@code error_samples} (with their counts) and {@code notes}. */
    static void putErrorsAndNotes(ObjectNode r, Map<String, Long> errorSamples, List<String> notes) {
        ArrayNode es = r.putArray("error_samples");
        synchronized (errorSamples) {
            errorSamples.forEach((what, n) -> es.add(n == 1 ? what : what + " (x" + n + ")"));
        }
        ArrayNode ns = r.putArray("notes");
        notes.forEach(ns::add);
    }

    /** Counts {@code what} unless {@code max} different kinds are already counted. */
    static void sample(Map<String, Long> errorSamples, String what, int max) {
        synchronized (errorSamples) {
            if (errorSamples.containsKey(what) || errorSamples.size() < max) {
                errorSamples.merge(what, 1L, Long::sum);
            }
        }
    }

    /** The summary's {@code http} line. */
    static void appendHttp(StringBuilder b, JsonNode r) {
        StringBuilder st = new StringBuilder();
        r.get("http_status").fields().forEachRemaining(e -> st.append(e.getKey()).append('=').append(e.getValue().asLong()).append(' '));
        b.append("http         ").append(st.length() == 0 ? "(no responses)" : st.toString().trim()).append('\n');
    }

    /** One summary line {@code label text} per element of the array {@code field}. */
    static void appendLines(StringBuilder b, JsonNode r, String field, String label) {
        for (JsonNode n : r.get(field)) {
            b.append(label).append(n.asText()).append('\n');
        }
    }

    static void putMs(ObjectNode n, String field, Histogram h, double percentile) {
        if (h.getTotalCount() == 0) {
            n.putNull(field);
        } else {
            long micros = percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
            n.put(field, round(micros / 1000.0, 2));
        }
    }

    /** The median of {@code value} over {@code runs} (numbers only), rounded to 1/{@code scale}; null if none. */
    static void putMedian(ObjectNode m, String field, List<JsonNode> runs, Function<JsonNode, JsonNode> value, double scale) {
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
        m.put(field, Math.round(median(values) * scale) / scale);
    }

    /** The median of a non-empty list; the mean of the middle two for an even count. */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    // ------------------------------------------------------------------ numbers

    /** A whole number as such, else two decimals; {@code -} for null. */
    static String num(JsonNode n) {
        if (n == null || n.isNull()) {
            return "-";
        }
        double v = n.asDouble();
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Milliseconds for the report tables: no decimals from 100 up, else one; {@code n/a} for null or missing. */
    static String reportMs(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "n/a";
        }
        double v = n.asDouble();
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%,.1f", v);
    }

    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
