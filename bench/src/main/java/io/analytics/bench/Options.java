package io.analytics.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Command-line flags of the load generator, parsed and validated. */
public final class Options {

    /** A flag was missing, unknown or malformed; the message says which and why. */
    public static final class BadFlagException extends Exception {
        public BadFlagException(String message) {
            super(message);
        }
    }

    /** Thrown for {@code --help}: print {@link #usage()} and exit 0. */
    public static final class HelpRequested extends Exception {
        public HelpRequested() {
            super("help");
        }
    }

    public URI url = URI.create("http://127.0.0.1:8080");
    public String apiKey;
    public double rate = 5000;
    public long durationMillis = 30_000;
    public int batch = 500;
    public boolean batchGiven;
    public int concurrency = 8;
    public int users = 20_000;
    public int products = 200;
    public long disorderMillis = 0;
    public double duplicates = 0;
    public long seed = System.nanoTime();
    public boolean seedGiven;
    public Path out;
    public boolean quiet;
    public long drainTimeoutMillis = 60_000;
    public long requestTimeoutMillis = 30_000;
    public long probeIntervalMillis = 250;
    public long pollIntervalMillis = 50;

    public static String usage() {
        return String.join("\n",
                "Usage: analytics loadgen [flags]",
                "       java -cp bench/target/classes:bench/target/lib/* io.analytics.bench.LoadGenerator [flags]",
                "",
                "Sends a realistic e-commerce event stream to POST {url}/api/v1/events at a fixed (open-loop) rate,",
                "measures ingest latency, freshness (accepted -> visible in /api/v1/metrics) and end-to-end throughput.",
                "",
                "Flags (all optional; --flag value or --flag=value):",
                "  --url URL              server base URL (default http://127.0.0.1:8080)",
                "  --api-key KEY          X-API-Key header (default: env ANALYTICS_DEMO_API_KEY)",
                "  --rate N               target events per second (default 5000)",
                "  --duration D           how long to send, e.g. 30s, 2m, 1500ms (default 30s)",
                "  --batch N              events per request, 1..10000 (default 500, or rate/10 when that is smaller)",
                "  --concurrency N        max in-flight ingest requests (default 8)",
                "  --users N              simulated user population (default 20000)",
                "  --products N           product catalogue size (default 200)",
                "  --disorder D           max event-time lag behind wall clock, e.g. 0s, 2m (default 0s: timestamp = now)",
                "  --duplicates F         fraction of events that are re-sends of earlier events, 0..0.9 (default 0)",
                "  --seed N               random seed, for a reproducible event stream (default: random)",
                "  --out PATH             write the result as JSON to PATH",
                "  --quiet                no live progress line, only the final summary",
                "  --drain-timeout D      how long to wait for all accepted events to become visible (default 60s)",
                "  --request-timeout D    per-request HTTP timeout (default 30s)",
                "  --probe-interval D     freshness probe period (default 250ms)",
                "  --poll-interval D      freshness poll period (default 50ms)",
                "  --help                 print this help",
                "",
                "Exit codes: 0 ok, 1 server unreachable or API key refused at start, 2 bad flags.");
    }

    public static Options parse(String[] args, Map<String, String> env) throws BadFlagException, HelpRequested {
        Options o = new Options();
        o.apiKey = env.get("ANALYTICS_DEMO_API_KEY");
        for (int i = 0; i < args.length; i++) {
            String[] flag = BenchUtil.flag(args[i]);
            String name = flag[0];
            String value = flag[1];
            if (name.equals("quiet")) {
                if (value != null) {
                    throw new BadFlagException("--quiet takes no value");
                }
                o.quiet = true;
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new BadFlagException("--" + name + " needs a value (see --help)");
                }
                value = args[++i];
            }
            switch (name) {
                case "url" -> o.url = parseUrl(value);
                case "api-key" -> o.apiKey = value;
                case "rate" -> o.rate = parseDouble(name, value, 0.001, 10_000_000);
                case "duration" -> o.durationMillis = parseDuration(name, value, 1, Long.MAX_VALUE / 4);
                case "batch" -> {
                    o.batch = (int) parseLong(name, value, 1, 10_000);
                    o.batchGiven = true;
                }
                case "concurrency" -> o.concurrency = (int) parseLong(name, value, 1, 1024);
                case "users" -> o.users = (int) parseLong(name, value, 1, 100_000_000);
                case "products" -> o.products = (int) parseLong(name, value, 1, 10_000_000);
                case "disorder" -> o.disorderMillis = parseDuration(name, value, 0, 366L * 86_400_000L);
                case "duplicates" -> o.duplicates = parseDouble(name, value, 0, 0.9);
                case "seed" -> {
                    o.seed = parseLong(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                    o.seedGiven = true;
                }
                case "out" -> {
                    if (value.isBlank()) {
                        throw new BadFlagException("--out needs a file path");
                    }
                    o.out = Path.of(value);
                }
                case "drain-timeout" -> o.drainTimeoutMillis = parseDuration(name, value, 0, 86_400_000L);
                case "request-timeout" -> o.requestTimeoutMillis = parseDuration(name, value, 1, 3_600_000L);
                case "probe-interval" -> o.probeIntervalMillis = parseDuration(name, value, 10, 3_600_000L);
                case "poll-interval" -> o.pollIntervalMillis = parseDuration(name, value, 5, 3_600_000L);
                default -> throw new BadFlagException("unknown flag --" + name + " (see --help)");
            }
        }
        if (o.apiKey == null || o.apiKey.isBlank()) {
            throw new BadFlagException("no API key: pass --api-key KEY or set ANALYTICS_DEMO_API_KEY");
        }
        return o;
    }

    static URI parseUrl(String value) throws BadFlagException {
        try {
            String v = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            URI uri = URI.create(v);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new BadFlagException("--url: expected http(s)://host[:port], got '" + value + "'");
        }
    }

    static long parseLong(String name, String value, long min, long max) throws BadFlagException {
        long v;
        try {
            v = Long.parseLong(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadFlagException("--" + name + ": expected an integer, got '" + value + "'");
        }
        if (v < min || v > max) {
            throw new BadFlagException("--" + name + ": must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    static double parseDouble(String name, String value, double min, double max) throws BadFlagException {
        double v;
        try {
            v = Double.parseDouble(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadFlagException("--" + name + ": expected a number, got '" + value + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new BadFlagException("--" + name + ": must be between " + plain(min) + " and " + plain(max) + ", got " + value);
        }
        return v;
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of seconds; fractions allowed. */
    static long parseDuration(String name, String value, long minMillis, long maxMillis) throws BadFlagException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        double factor;
        String number;
        if (v.endsWith("ms")) {
            factor = 1;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            factor = 1000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            factor = 60_000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("h")) {
            factor = 3_600_000;
            number = v.substring(0, v.length() - 1);
        } else {
            factor = 1000;
            number = v;
        }
        double n;
        try {
            n = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            n = Double.NaN;
        }
        if (!Double.isFinite(n) || n < 0) {
            throw new BadFlagException("--" + name + ": expected a duration like 500ms, 30s, 2m or 1h, got '" + value + "'");
        }
        long millis = Math.round(n * factor);
        if (millis < minMillis || millis > maxMillis) {
            throw new BadFlagException("--" + name + ": must be between " + minMillis + "ms and " + maxMillis
                    + "ms, got '" + value + "'");
        }
        return millis;
    }
}
