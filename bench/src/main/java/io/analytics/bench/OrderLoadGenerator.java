package io.analytics.bench;

import static io.analytics.bench.BenchUtil.fmt;
import static io.analytics.bench.BenchUtil.num;
import static io.analytics.bench.BenchUtil.putMs;
import static io.analytics.bench.BenchUtil.round;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load generator for the event-sourced orders API ({@code POST /api/v1/orders} and
 * {@code POST /api/v1/orders/{id}/{action}}).
 *
 * <p>A pool of {@code --orders} simulated orders is in flight at any time. Each one runs
 * create → confirm → pay(total) → payment-outcome(success) → ship → deliver, or, for a
 * {@code --cancel-fraction} of them, create → confirm → cancel; then its slot starts a new order. The
 * commands of one order are strictly sequential (the next is sent only once the previous one has been
 * answered); the orders run concurrently. Commands are due on a fixed schedule (command k at
 * {@code k / rate} seconds) and each due command goes to the order that has waited longest for its
 * next step; at most {@code --concurrency} commands are in flight. A server slower than the target shows
 * up as schedule lag and a shortfall of commands sent — the rate is never silently lowered.
 * {@code --rate max} sends as fast as the orders and the concurrency limit allow (used to fill a journal).
 * Run with {@code --help} for the flags.
 */
public final class OrderLoadGenerator {

    private static final ObjectMapper MAPPER = BenchUtil.MAPPER;
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(30);
    private static final long STOP_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int MAX_ERROR_KINDS = 8;
    private static final String[] CURRENCIES = {"USD", "USD", "USD", "USD", "USD", "USD", "USD", "EUR", "EUR", "GBP"};

    /** The order commands, in the order of a full life; {@link #CANCEL} replaces pay..deliver for cancelled orders. */
    enum Cmd {
        CREATE("create", "created"),
        CONFIRM("confirm", "confirmed"),
        PAY("pay", "payment_pending"),
        PAYMENT_OUTCOME("payment-outcome", "paid"),
        SHIP("ship", "shipped"),
        DELIVER("deliver", "delivered"),
        CANCEL("cancel", "cancelled");

        final String path;
        /** The order's {@code status} after the command succeeded. */
        final String statusAfter;

        Cmd(String path, String statusAfter) {
            this.path = path;
            this.statusAfter = statusAfter;
        }
    }

    static final Cmd[] FULL_LIFE = {Cmd.CREATE, Cmd.CONFIRM, Cmd.PAY, Cmd.PAYMENT_OUTCOME, Cmd.SHIP, Cmd.DELIVER};
    static final Cmd[] CANCELLED_LIFE = {Cmd.CREATE, Cmd.CONFIRM, Cmd.CANCEL};

    private OrderLoadGenerator() {}

    public static void main(String[] args) {
        BenchUtil.main(OrderLoadGenerator::run, args, "orderload: interrupted");
    }

    /** Runs the generator; returns the process exit code (0 ran, 1 server unreachable / key refused / I/O, 2 bad flags). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws InterruptedException {
        BenchUtil.Parsed<Flags> parsed = BenchUtil.parseFlags(Flags::parse, Flags.usage(), "orderload", args, env, out, err);
        if (parsed.flags() == null) {
            return parsed.exit();
        }
        Flags f = parsed.flags();
        try (PooledHttpClient http = new PooledHttpClient(f.url, f.threads, f.requestTimeoutMillis)) {
            return new Run(f, http, out, err).execute();
        }
    }

    // ------------------------------------------------------------------ flags

    /** Command-line flags; the parsing helpers are {@link Options}'. */
    static final class Flags {
        URI url = URI.create("http://127.0.0.1:8080");
        String apiKey;
        double rate = 1000;
        boolean maxRate;
        long durationMillis = 30_000;
        int concurrency = 256;
        int orders = 512;
        double cancelFraction = 0.1;
        long maxCommands;
        long seed = System.nanoTime();
        boolean seedGiven;
        int users = 20_000;
        int products = 200;
        boolean ifMatch;
        boolean idempotencyKeys;
        long requestTimeoutMillis = 30_000;
        int threads = 1;
        Path out;
        boolean quiet;

        static String usage() {
            return String.join("\n",
                    "Usage: java -cp 'bench/target/classes:bench/target/lib/*' io.analytics.bench.OrderLoadGenerator [flags]",
                    "",
                    "Drives the orders API at a fixed (open-loop) rate of commands. Each simulated order runs",
                    "create -> confirm -> pay(total) -> payment-outcome(succeeded) -> ship -> deliver (or, for",
                    "--cancel-fraction of them, create -> confirm -> cancel), one command at a time; many orders",
                    "run concurrently. Reports commands/s, latency per command type, status codes and errors.",
                    "",
                    "Flags (all optional; --flag value or --flag=value):",
                    "  --url URL              server base URL (default http://127.0.0.1:8080)",
                    "  --api-key KEY          X-API-Key header (default: env ANALYTICS_DEMO_API_KEY)",
                    "  --rate N|max           target commands per second (default 1000); max: as fast as possible",
                    "  --duration D           how long to send, e.g. 30s, 2m, 1500ms (default 30s)",
                    "  --concurrency N        max commands in flight (default 256)",
                    "  --orders N             orders in flight: simulated orders running at once (default 512)",
                    "  --cancel-fraction F    share of orders cancelled after confirm, 0..1 (default 0.1)",
                    "  --max-commands N       stop after sending N commands (default: no limit)",
                    "  --users N / --products N   populations orders draw from (default 20000 / 200)",
                    "  --if-match             send If-Match with the version of the previous answer",
                    "  --idempotency-keys     send an Idempotency-Key with every command",
                    "  --seed N               random seed: the same orders (items, currency, cancellations) each run",
                    "  --request-timeout D    per-request HTTP timeout (default 30s)",
                    "  --threads N            HTTP client (Netty event loop) threads (default 1)",
                    "  --out PATH             write the result as JSON to PATH",
                    "  --quiet                no per-second progress line, only the final summary",
                    "  --help                 print this help",
                    "",
                    "Exit codes: 0 ran (whatever the server answered), 1 server unreachable or API key refused at start",
                    "(or --out not writable), 2 bad flags.");
        }

        static Flags parse(String[] args, Map<String, String> env) throws Options.BadFlagException, Options.HelpRequested {
            Flags f = new Flags();
            f.apiKey = env.get("ANALYTICS_DEMO_API_KEY");
            for (int i = 0; i < args.length; i++) {
                String[] flag = BenchUtil.flag(args[i]);
                String name = flag[0];
                String value = flag[1];
                if (name.equals("quiet") || name.equals("if-match") || name.equals("idempotency-keys")) {
                    if (value != null) {
                        throw new Options.BadFlagException("--" + name + " takes no value");
                    }
                    switch (name) {
                        case "quiet" -> f.quiet = true;
                        case "if-match" -> f.ifMatch = true;
                        default -> f.idempotencyKeys = true;
                    }
                    continue;
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new Options.BadFlagException("--" + name + " needs a value (see --help)");
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "url" -> f.url = Options.parseUrl(value);
                    case "api-key" -> f.apiKey = value;
                    case "rate" -> {
                        if (value.trim().equalsIgnoreCase("max")) {
                            f.maxRate = true;
                        } else {
                            f.rate = Options.parseDouble(name, value, 0.001, 10_000_000);
                            f.maxRate = false;
                        }
                    }
                    case "duration" -> f.durationMillis = Options.parseDuration(name, value, 1, Long.MAX_VALUE / 4);
                    case "concurrency" -> f.concurrency = (int) Options.parseLong(name, value, 1, 4096);
                    case "orders" -> f.orders = (int) Options.parseLong(name, value, 1, 1_000_000);
                    case "cancel-fraction" -> f.cancelFraction = Options.parseDouble(name, value, 0, 1);
                    case "max-commands" -> f.maxCommands = Options.parseLong(name, value, 0, Long.MAX_VALUE / 4);
                    case "users" -> f.users = (int) Options.parseLong(name, value, 1, 100_000_000);
                    case "products" -> f.products = (int) Options.parseLong(name, value, 1, 10_000_000);
                    case "seed" -> {
                        f.seed = Options.parseLong(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                        f.seedGiven = true;
                    }
                    case "request-timeout" -> f.requestTimeoutMillis = Options.parseDuration(name, value, 1, 3_600_000L);
                    case "threads" -> f.threads = (int) Options.parseLong(name, value, 1, 64);
                    case "out" -> {
                        if (value.isBlank()) {
                            throw new Options.BadFlagException("--out needs a file path");
                        }
                        f.out = Path.of(value);
                    }
                    default -> throw new Options.BadFlagException("unknown flag --" + name + " (see --help)");
                }
            }
            if (f.apiKey == null || f.apiKey.isBlank()) {
                throw new Options.BadFlagException("no API key: pass --api-key KEY or set ANALYTICS_DEMO_API_KEY");
            }
            return f;
        }
    }

    // ------------------------------------------------------------------ one simulated order

    /**
     * A slot of the order pool: the order it currently runs and how far that order got. Only the thread
     * holding the slot touches it (the sender until the command is sent, then the response callback),
     * and the hand-over goes through the ready queue or the HTTP client, both of which publish safely.
     */
    static final class Slot {
        long n = -1;
        String orderId;
        Cmd[] life;
        int step;
        String createBody;
        BigDecimal total;
        String totalText;
        long version;
    }

    /** Everything about order number {@code n} derives from (seed, n), so a seed gives the same orders. */
    static void newOrder(Slot s, long n, String runId, Flags f) {
        SplittableRandom r = new SplittableRandom(f.seed * 0x9E3779B97F4A7C15L + n);
        s.n = n;
        s.orderId = "ord_" + runId + "_" + n;
        s.life = r.nextDouble() < f.cancelFraction ? CANCELLED_LIFE : FULL_LIFE;
        s.step = 0;
        s.version = 0;
        int user = r.nextInt(f.users);
        String currency = CURRENCIES[(int) (mix(user) % CURRENCIES.length)];
        int lines = 1 + (r.nextInt(10) < 6 ? 0 : r.nextInt(3));
        StringBuilder b = new StringBuilder(160 + 64 * lines);
        b.append("{\"order_id\":\"").append(s.orderId).append("\",\"user_id\":\"u").append(user)
                .append("\",\"currency\":\"").append(currency).append("\",\"items\":[");
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < lines; i++) {
            int product = r.nextInt(f.products);
            int quantity = 1 + (r.nextInt(10) < 7 ? 0 : r.nextInt(3));
            BigDecimal price = price(product);
            total = total.add(price.multiply(BigDecimal.valueOf(quantity)));
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"product_id\":\"p").append(product).append("\",\"quantity\":").append(quantity)
                    .append(",\"price\":").append(price.toPlainString()).append('}');
        }
        b.append("]}");
        s.createBody = b.toString();
        s.total = total;
        s.totalText = total.toPlainString();
    }

    /** A product's unit price: log-uniform in about 5..800, ending in .99. */
    static BigDecimal price(int product) {
        double u = (mix(product + 0x5EEDL) >>> 11) / (double) (1L << 53);
        long whole = (long) Math.floor(5 * Math.pow(160, u));
        return BigDecimal.valueOf(whole * 100 + 99, 2);
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (x ^ (x >>> 33)) & Long.MAX_VALUE;
    }

    /** The request body of {@code cmd} for the order in {@code s}. */
    static String body(Slot s, Cmd cmd) {
        return switch (cmd) {
            case CREATE -> s.createBody;
            case PAY -> "{\"amount\":" + s.totalText + "}";
            case PAYMENT_OUTCOME -> "{\"succeeded\":true}";
            case SHIP -> "{}";
            case CANCEL -> "{\"reason\":\"customer changed their mind\"}";
            case CONFIRM, DELIVER -> "";
        };
    }

    /** The fields of an order answer the generator needs; {@code error} for the error answers. */
    record Answer(String status, long version, BigDecimal total, String totalText, String error) {}

    static Answer parseAnswer(byte[] body) {
        String status = null;
        String error = null;
        long version = -1;
        BigDecimal total = null;
        String totalText = null;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new Answer(null, -1, null, null, null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "status" -> status = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "version" -> version = t.isNumeric() ? p.getLongValue() : -1;
                    case "total" -> {
                        if (t.isNumeric()) {
                            totalText = p.getText();
                            total = p.getDecimalValue();
                        }
                    }
                    case "error" -> error = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return new Answer(null, -1, null, null, null);
        }
        return new Answer(status, version, total, totalText, error);
    }

    /** {@code {"projections":[{"projection":"orders","events_handled":N,"lag_ms":L},...]}} -> name -> {N, L or -1}. */
    static Map<String, long[]> parseLag(byte[] body) {
        Map<String, long[]> result = new java.util.TreeMap<>();
        try {
            JsonNode root = MAPPER.readTree(body);
            for (JsonNode p : root.path("projections")) {
                if (p.hasNonNull("projection") && p.path("events_handled").isNumber()) {
                    result.put(p.get("projection").asText(), new long[] {p.get("events_handled").asLong(), p.path("lag_ms").asLong(-1)});
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return result;
    }

    // ------------------------------------------------------------------ the run

    /** Per command type: counters and the latency histogram. */
    static final class CmdStats {
        final LongAdder sent = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder errors = new LongAdder();
        final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
    }

    private static final class Run {
        final Flags f;
        final PooledHttpClient http;
        final PrintStream out;
        final PrintStream err;
        final String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        final List<String> notes = new ArrayList<>();
        final String ordersPath;
        final String lagPath;
        final Map<String, String> keyHeader;

        final Map<Cmd, CmdStats> stats = new java.util.EnumMap<>(Cmd.class);
        final LongAdder sentTotal = new LongAdder();
        final LongAdder answered = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder unexpectedState = new LongAdder();
        final LongAdder ordersStarted = new LongAdder();
        final LongAdder ordersDelivered = new LongAdder();
        final LongAdder ordersCancelled = new LongAdder();
        final LongAdder ordersAbandoned = new LongAdder();
        final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        final Histogram fromSchedule = new Histogram(HIGHEST_MICROS, 3);
        final Map<String, Long> errorSamples = new LinkedHashMap<>();
        final AtomicLong lastAckNanos = new AtomicLong();
        final AtomicLong nextOrder = new AtomicLong();
        /** {@code GET /api/v1/views/lag} before and after the run: projection -> {events_handled, lag_ms}. */
        Map<String, long[]> projectionsAtStart = Map.of();
        Map<String, long[]> projectionsAtEnd = Map.of();
        ArrayBlockingQueue<Slot> ready;
        Semaphore permits;
        volatile long t0;

        Run(Flags f, PooledHttpClient http, PrintStream out, PrintStream err) {
            this.f = f;
            this.http = http;
            this.out = out;
            this.err = err;
            String prefix = f.url.getRawPath() == null ? "" : f.url.getRawPath().replaceAll("/+$", "");
            this.ordersPath = prefix + "/api/v1/orders";
            this.lagPath = prefix + "/api/v1/views/lag";
            this.keyHeader = Map.of("X-API-Key", f.apiKey);
            for (Cmd c : Cmd.values()) {
                stats.put(c, new CmdStats());
            }
        }

        int execute() throws InterruptedException {
            long startMillis = System.currentTimeMillis();
            Integer preflight = preflight();
            if (preflight != null) {
                return preflight;
            }
            double nanosPerCommand = f.maxRate ? 0 : 1e9 / f.rate;
            long scheduled = f.maxRate ? Long.MAX_VALUE : Math.max(1, Math.round(f.rate * f.durationMillis / 1000.0));
            long limit = f.maxCommands > 0 ? Math.min(scheduled, f.maxCommands) : scheduled;
            if (!f.quiet) {
                out.printf(Locale.ROOT, "orderload: %s commands/s for %.1f s to %s (%d orders in flight, concurrency %d, "
                                + "cancel %.0f%%, run %s)%n",
                        f.maxRate ? "max" : fmt(f.rate), f.durationMillis / 1000.0, f.url, f.orders,
                        f.concurrency, f.cancelFraction * 100, runId);
            }
            ready = new ArrayBlockingQueue<>(f.orders);
            for (int i = 0; i < f.orders; i++) {
                ready.add(new Slot());
            }
            permits = new Semaphore(f.concurrency);
            ScheduledExecutorService reporter = BenchUtil.daemonScheduler("orderload-progress");

            t0 = System.nanoTime();
            long hardStop = t0 + TimeUnit.MILLISECONDS.toNanos(f.durationMillis) + (f.maxRate ? 0 : STOP_GRACE_NANOS);
            if (!f.quiet) {
                long[] prev = new long[2];
                reporter.scheduleAtFixedRate(() -> progress(prev, nanosPerCommand, limit), 1, 1, TimeUnit.SECONDS);
            }
            long sent = 0;
            long maxLagNanos = 0;
            long firstSend = 0;
            while (sent < limit) {
                long due = f.maxRate ? 0 : t0 + (long) (sent * nanosPerCommand);
                if (!f.maxRate) {
                    Freshness.sleepUntil(due, () -> true);
                }
                long left = hardStop - System.nanoTime();
                Slot slot = left > 0 ? ready.poll(left, TimeUnit.NANOSECONDS) : null;
                if (slot == null) {
                    break;
                }
                left = hardStop - System.nanoTime();
                if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    ready.add(slot);
                    break;
                }
                long sendStart = System.nanoTime();
                if (sendStart - hardStop > 0) {
                    permits.release();
                    ready.add(slot);
                    break;
                }
                if (firstSend == 0) {
                    firstSend = sendStart;
                }
                if (!f.maxRate) {
                    maxLagNanos = Math.max(maxLagNanos, sendStart - due);
                }
                send(slot, sendStart, f.maxRate ? sendStart : due);
                sent++;
            }
            long sendLoopEnd = System.nanoTime();
            if (!permits.tryAcquire(f.concurrency, f.requestTimeoutMillis + 5000, TimeUnit.MILLISECONDS)) {
                notes.add("some commands were still unanswered " + (f.requestTimeoutMillis + 5000) + " ms after sending stopped");
            }
            reporter.shutdownNow();
            projectionsAtEnd = lagNow();
            long shortfall = f.maxRate ? 0 : limit - sent;
            if (shortfall > 0) {
                notes.add(String.format(Locale.ROOT,
                        "server too slow for the target: %d of %d scheduled commands were never sent (%.1f%%)",
                        shortfall, limit, 100.0 * shortfall / limit));
            }
            long from = firstSend == 0 ? t0 : firstSend;
            long activeNanos = Math.max(lastAckNanos.get(), sendLoopEnd) - from;
            if (!f.maxRate && sent >= limit && limit == scheduled) {
                // The schedule spreads the commands over the whole duration: never report more than the target
                // just because the last answers came in early.
                activeNanos = Math.max(activeNanos, TimeUnit.MILLISECONDS.toNanos(f.durationMillis));
            }
            ObjectNode result = result(sent, limit, shortfall, maxLagNanos, Math.max(1, activeNanos), startMillis);
            out.print(summary(result));
            out.flush();
            if (f.out != null && !BenchUtil.writeResult(f.out, result, "orderload", err)) {
                return 1;
            }
            return 0;
        }

        /** null if the server answers with the key; else the exit code (after saying why). */
        private Integer preflight() throws InterruptedException {
            PooledHttpClient.Reply reply;
            try {
                reply = http.get(lagPath, keyHeader).get(Math.min(f.requestTimeoutMillis, 30_000) + 1_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                err.println("orderload: cannot reach the server at " + f.url + ": " + ApiClient.describe(cause) + " - is it running?");
                return 1;
            }
            if (reply.status() == 401 || reply.status() == 403) {
                err.println("orderload: the server at " + f.url + " refused the API key (HTTP " + reply.status() + ")");
                return 1;
            }
            if (reply.status() == 200) {
                projectionsAtStart = parseLag(reply.body());
            }
            return null;
        }

        /** The projections' progress now; empty if the server does not say. */
        private Map<String, long[]> lagNow() throws InterruptedException {
            try {
                PooledHttpClient.Reply reply = http.get(lagPath, keyHeader).get(10, TimeUnit.SECONDS);
                return reply.status() == 200 ? parseLag(reply.body()) : Map.of();
            } catch (ExecutionException | TimeoutException e) {
                return Map.of();
            }
        }

        private void send(Slot slot, long sendStart, long due) {
            if (slot.n < 0 || slot.step >= slot.life.length) {
                newOrder(slot, nextOrder.getAndIncrement(), runId, f);
                ordersStarted.increment();
            }
            Cmd cmd = slot.life[slot.step];
            String body = body(slot, cmd);
            String path = cmd == Cmd.CREATE ? ordersPath : ordersPath + "/" + slot.orderId + "/" + cmd.path;
            Map<String, String> headers = new LinkedHashMap<>(8);
            headers.put("X-API-Key", f.apiKey);
            if (!body.isEmpty()) {
                headers.put("Content-Type", "application/json");
            }
            if (f.ifMatch && cmd != Cmd.CREATE) {
                headers.put("If-Match", "\"" + slot.version + "\"");
            }
            if (f.idempotencyKeys) {
                headers.put("Idempotency-Key", slot.orderId + "-" + slot.step);
            }
            stats.get(cmd).sent.increment();
            sentTotal.increment();
            http.post(path, body.getBytes(StandardCharsets.UTF_8), headers).handle((response, failure) -> {
                try {
                    answered(slot, cmd, response, failure, sendStart, due);
                } catch (RuntimeException e) {
                    noteError(cmd, "generator", e.toString());
                } finally {
                    permits.release();
                    ready.add(slot);
                }
                return null;
            });
        }

        /** Records one answer and moves its order on (or abandons it when the command failed). */
        private void answered(Slot slot, Cmd cmd, PooledHttpClient.Reply response, Throwable failure, long sendStart, long due) {
            long now = System.nanoTime();
            lastAckNanos.accumulateAndGet(now, Math::max);
            CmdStats cs = stats.get(cmd);
            if (failure != null) {
                Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                String key = t instanceof HttpTimeoutException ? "timeout" : t instanceof ConnectException ? "connect_error" : "io_error";
                count(key);
                cs.errors.increment();
                errors.increment();
                noteError(cmd, key, ApiClient.describe(t));
                abandon(slot);
                return;
            }
            answered.increment();
            int status = response.status();
            count(Integer.toString(status));
            long micros = Math.min(HIGHEST_MICROS, Math.max(0, (now - sendStart) / 1000));
            synchronized (latency) {
                latency.recordValue(micros);
                fromSchedule.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - due) / 1000)));
            }
            synchronized (cs.latency) {
                cs.latency.recordValue(micros);
            }
            int expected = cmd == Cmd.CREATE ? 201 : 200;
            Answer a = parseAnswer(response.body());
            if (status != expected) {
                cs.errors.increment();
                errors.increment();
                String text = a.error() != null ? a.error() : ApiClient.abbreviate(new String(response.body(), StandardCharsets.UTF_8), 200);
                noteError(cmd, Integer.toString(status), text.replace(slot.orderId, "<order>"));
                abandon(slot);
                return;
            }
            cs.ok.increment();
            ok.increment();
            if (!cmd.statusAfter.equals(a.status())) {
                unexpectedState.increment();
                noteError(cmd, "unexpected_state", "answered " + status + " with status " + a.status() + ", expected " + cmd.statusAfter);
            }
            if (a.version() >= 0) {
                slot.version = a.version();
            }
            if (cmd == Cmd.CREATE && a.totalText() != null) {
                if (slot.total.compareTo(a.total()) != 0) {
                    noteError(cmd, "unexpected_total", "server total " + a.totalText() + ", expected " + slot.totalText);
                }
                slot.totalText = a.totalText();
                slot.total = a.total();
            }
            slot.step++;
            if (slot.step >= slot.life.length) {
                (cmd == Cmd.CANCEL ? ordersCancelled : ordersDelivered).increment();
            }
        }

        private void abandon(Slot slot) {
            ordersAbandoned.increment();
            slot.step = slot.life.length; // the slot starts a new order next time
            slot.n = -1;
        }

        private void count(String key) {
            statuses.computeIfAbsent(key, k -> new LongAdder()).increment();
        }

        private void noteError(Cmd cmd, String kind, String text) {
            String what = cmd.path + " " + kind + ": " + text;
            BenchUtil.sample(errorSamples, what, MAX_ERROR_KINDS);
        }

        private void progress(long[] prev, double nanosPerCommand, long limit) {
            try {
                long elapsed = System.nanoTime() - t0;
                long sentNow = sentTotal.sum();
                long okNow = ok.sum();
                double p99;
                synchronized (latency) {
                    p99 = latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(99) / 1000.0;
                }
                String behind = f.maxRate ? "" : " | behind " + Math.max(0, Math.min(limit, (long) (elapsed / nanosPerCommand) + 1) - sentNow) + " cmd";
                out.printf(Locale.ROOT, "[%4ds] sent %s cmd/s | ok %s cmd/s | in-flight %d/%d | p99 %s ms | errors %d%s%n",
                        Math.round(elapsed / 1e9), fmt(sentNow - prev[0]), fmt(okNow - prev[1]),
                        f.concurrency - permits.availablePermits(), f.concurrency,
                        Double.isNaN(p99) ? "-" : String.format(Locale.ROOT, "%.1f", p99), errors.sum(), behind);
                prev[0] = sentNow;
                prev[1] = okNow;
            } catch (RuntimeException e) {
                err.println("orderload: progress: " + e);
            }
        }

        private ObjectNode result(long sent, long limit, long shortfall, long maxLagNanos, long activeNanos, long startMillis) {
            double activeS = activeNanos / 1e9;
            ObjectNode r = MAPPER.createObjectNode();
            r.put("tool", "OrderLoadGenerator");
            if (f.maxRate) {
                r.putNull("target_rate");
            } else {
                r.put("target_rate", f.rate);
            }
            r.put("max_rate", f.maxRate);
            r.put("duration_s", f.durationMillis / 1000.0);
            r.put("concurrency", f.concurrency);
            r.put("orders", f.orders);
            r.put("cancel_fraction", f.cancelFraction);
            r.put("max_commands", f.maxCommands);
            r.put("if_match", f.ifMatch);
            r.put("idempotency_keys", f.idempotencyKeys);
            r.put("url", f.url.toString());
            r.put("run_id", runId);
            r.put("seed", f.seed);
            r.put("started_at", Instant.ofEpochMilli(startMillis).toString());
            if (f.maxRate) {
                r.putNull("commands_scheduled");
            } else {
                r.put("commands_scheduled", limit);
            }
            r.put("commands_sent", sent);
            r.put("commands_answered", answered.sum());
            r.put("commands_ok", ok.sum());
            r.put("errors", errors.sum());
            r.put("shortfall_commands", shortfall);
            if (f.maxRate) {
                r.putNull("max_schedule_lag_ms");
            } else {
                r.put("max_schedule_lag_ms", round(maxLagNanos / 1e6, 2));
            }
            r.put("active_s", round(activeS, 3));
            r.put("sent_per_s", round(sent / activeS, 1));
            r.put("commands_per_s", round(ok.sum() / activeS, 1));
            r.put("answered_per_s", round(answered.sum() / activeS, 1));
            BenchUtil.putStatuses(r, statuses);
            synchronized (latency) {
                r.set("latency_ms", percentiles(latency));
                if (f.maxRate) {
                    r.putNull("latency_from_schedule_ms");
                } else {
                    r.set("latency_from_schedule_ms", percentiles(fromSchedule));
                }
            }
            ObjectNode by = r.putObject("by_command");
            for (Cmd c : Cmd.values()) {
                CmdStats cs = stats.get(c);
                ObjectNode n = by.putObject(c.path);
                n.put("sent", cs.sent.sum());
                n.put("ok", cs.ok.sum());
                n.put("errors", cs.errors.sum());
                synchronized (cs.latency) {
                    n.set("latency_ms", percentiles(cs.latency));
                }
            }
            ObjectNode orders = r.putObject("order_outcomes");
            long started = ordersStarted.sum();
            long delivered = ordersDelivered.sum();
            long cancelled = ordersCancelled.sum();
            long abandoned = ordersAbandoned.sum();
            orders.put("started", started);
            orders.put("delivered", delivered);
            orders.put("cancelled", cancelled);
            orders.put("abandoned", abandoned);
            orders.put("unfinished", started - delivered - cancelled - abandoned);
            r.put("unexpected_state", unexpectedState.sum());
            ObjectNode projections = r.putObject("projections");
            projectionsAtEnd.forEach((name, end) -> {
                ObjectNode p = projections.putObject(name);
                long[] start = projectionsAtStart.get(name);
                if (start != null && end[0] >= start[0]) {
                    p.put("events_handled_during_run", end[0] - start[0]);
                    p.put("handled_per_s", round((end[0] - start[0]) / activeS, 1));
                } else {
                    p.putNull("events_handled_during_run");
                    p.putNull("handled_per_s");
                }
                p.put("events_handled_at_end", end[0]);
                if (end[1] >= 0) {
                    p.put("lag_ms_at_end", end[1]);
                } else {
                    p.putNull("lag_ms_at_end");
                }
            });
            BenchUtil.putErrorsAndNotes(r, errorSamples, notes);
            return r;
        }

        private String summary(ObjectNode r) {
            StringBuilder b = new StringBuilder();
            b.append("== orderload summary (run ").append(runId).append(") ==\n");
            b.append(String.format(Locale.ROOT, "target       %s commands/s for %.1f s (%d orders in flight, concurrency %d)%n",
                    f.maxRate ? "max" : fmt(f.rate), f.durationMillis / 1000.0, f.orders, f.concurrency));
            b.append(String.format(Locale.ROOT, "sent         %d commands (%s/s; shortfall %d; max schedule lag %s ms)%n",
                    r.get("commands_sent").asLong(), fmt(r.get("sent_per_s").asDouble()),
                    r.get("shortfall_commands").asLong(), num(r.get("max_schedule_lag_ms"))));
            b.append(String.format(Locale.ROOT, "ok           %d commands (%s commands/s over %.1f s)   errors %d   unexpected state %d%n",
                    r.get("commands_ok").asLong(), fmt(r.get("commands_per_s").asDouble()),
                    r.get("active_s").asDouble(), r.get("errors").asLong(), r.get("unexpected_state").asLong()));
            BenchUtil.appendHttp(b, r);
            b.append("latency ms   ").append(ms(r.get("latency_ms")));
            JsonNode fs = r.get("latency_from_schedule_ms");
            if (fs != null && !fs.isNull()) {
                b.append("   (from schedule: p99 ").append(num(fs.get("p99"))).append(')');
            }
            b.append('\n');
            r.get("by_command").fields().forEachRemaining(e -> {
                if (e.getValue().get("sent").asLong() > 0) {
                    b.append(String.format(Locale.ROOT, "  %-16s %7d sent %7d ok %5d err   %s%n", e.getKey(),
                            e.getValue().get("sent").asLong(), e.getValue().get("ok").asLong(),
                            e.getValue().get("errors").asLong(), ms(e.getValue().get("latency_ms"))));
                }
            });
            JsonNode o = r.get("order_outcomes");
            b.append(String.format(Locale.ROOT, "orders       %d started: %d delivered, %d cancelled, %d abandoned after an error, %d unfinished%n",
                    o.get("started").asLong(), o.get("delivered").asLong(), o.get("cancelled").asLong(),
                    o.get("abandoned").asLong(), o.get("unfinished").asLong()));
            StringBuilder pr = new StringBuilder();
            r.get("projections").fields().forEachRemaining(e -> {
                JsonNode p = e.getValue();
                pr.append(pr.length() == 0 ? "" : " | ").append(e.getKey()).append(": handled ")
                        .append(num(p.get("events_handled_during_run"))).append(" during the run");
                if (p.hasNonNull("lag_ms_at_end")) {
                    pr.append(" (lag of the last event ").append(num(p.get("lag_ms_at_end"))).append(" ms)");
                }
            });
            if (pr.length() > 0) {
                b.append("projections  ").append(pr).append('\n');
            }
            BenchUtil.appendLines(b, r, "error_samples", "error        ");
            BenchUtil.appendLines(b, r, "notes", "note         ");
            return b.toString();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static ObjectNode percentiles(Histogram h) {
        ObjectNode n = MAPPER.createObjectNode();
        putMs(n, "p50", h, 50);
        putMs(n, "p90", h, 90);
        putMs(n, "p99", h, 99);
        putMs(n, "max", h, 100);
        if (h.getTotalCount() == 0) {
            n.putNull("mean");
        } else {
            n.put("mean", round(h.getMean() / 1000.0, 2));
        }
        n.put("count", h.getTotalCount());
        return n;
    }

    private static String ms(JsonNode n) {
        return "p50 " + num(n.get("p50")) + "  p90 " + num(n.get("p90")) + "  p99 " + num(n.get("p99")) + "  max " + num(n.get("max"));
    }
}
