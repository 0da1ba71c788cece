package io.analytics.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A cheap generator of a realistic e-commerce event stream.
 *
 * <p>A pool of concurrently active user sessions is kept; each emitted event advances one randomly
 * chosen session through the funnel {@code page_view → product_view → add_to_cart → checkout_started →
 * purchase_completed}, with drop-off after every step, an occasional {@code payment_failed} (after
 * which the buyer may retry and succeed) and an occasional {@code refund} after a purchase.
 * Events of one session are emitted in funnel order with non-decreasing timestamps.
 *
 * <p>Everything that can be is precomputed or derived from cheap hashes (per-user country, platform,
 * user agent, IP, payment method; per-product price and category), ids and timestamps are formatted
 * into reusable char buffers, and JSON is written with Jackson's streaming generator straight into a
 * byte array, so generation costs well under a microsecond per event and allocates almost nothing.
 *
 * <p>Not thread-safe: one instance is driven by one thread. {@link #probe} is the exception — it only
 * reads immutable state and may be called from another thread.
 */
public final class EventMix {

    public static final int PAGE_VIEW = 0;
    public static final int PRODUCT_VIEW = 1;
    public static final int ADD_TO_CART = 2;
    public static final int CHECKOUT_STARTED = 3;
    public static final int PAYMENT_FAILED = 4;
    public static final int PURCHASE_COMPLETED = 5;
    public static final int REFUND_ISSUED = 6;
    /** Event types in funnel order; the index is the funnel rank. */
    public static final String[] TYPES = {
        "page_view", "product_view", "add_to_cart", "checkout_started", "payment_failed",
        "purchase_completed", "refund"
    };
    public static final String PROBE_TYPE = "loadgen_probe";

    // --- funnel probabilities -------------------------------------------------------------------
    static final double MORE_PAGE_VIEWS = 0.35;     // another page_view before browsing products
    static final double TO_PRODUCT_VIEW = 0.62;
    static final double MORE_PRODUCT_VIEWS = 0.45;
    static final double TO_ADD_TO_CART = 0.28;
    static final double TO_CHECKOUT = 0.55;
    static final double PAYMENT_FAILS = 0.07;
    static final double TO_PURCHASE = 0.88;         // of checkouts whose payment did not fail
    static final double RETRY_AFTER_FAILURE = 0.55;
    static final double REFUND = 0.03;

    // --- static catalogues ----------------------------------------------------------------------
    static final String[] COUNTRIES = {
        "US", "GB", "DE", "FR", "CA", "IN", "BR", "JP", "AU", "ES",
        "IT", "NL", "MX", "SE", "PL", "KR", "SG", "IE", "ZA", "CH"
    };
    private static final double[] COUNTRY_WEIGHTS = {
        30, 10, 9, 7, 6, 5, 4, 4, 4, 3,
        3, 3, 2, 2, 2, 2, 1.5, 1.5, 1, 1
    };
    static final String[] CURRENCIES = {"USD", "EUR", "GBP"};
    private static final double[] CURRENCY_RATE = {1.0, 0.92, 0.79};
    private static final String[] PAYMENT_METHODS = {
        "credit_card", "debit_card", "paypal", "apple_pay", "google_pay", "bank_transfer", "klarna"
    };
    private static final double[] PAYMENT_WEIGHTS = {45, 15, 15, 10, 8, 4, 3};
    private static final int APPLE_PAY = 3;
    private static final int GOOGLE_PAY = 4;
    static final String[] PLATFORMS = {"web", "ios", "android"};
    private static final double[] PLATFORM_WEIGHTS = {50, 28, 22};
    private static final String[][] USER_AGENTS = {
        {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:122.0) Gecko/20100101 Firefox/122.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.2277.83"
        },
        {
            "ShopApp/5.12.0 (iPhone; iOS 17.3; Scale/3.00)",
            "ShopApp/5.12.0 (iPhone; iOS 17.2.1; Scale/3.00)",
            "ShopApp/5.11.2 (iPad; iOS 16.7.5; Scale/2.00)",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
        },
        {
            "ShopApp/5.12.0 (Linux; Android 14; Pixel 8)",
            "ShopApp/5.12.0 (Linux; Android 13; SM-S911B)",
            "ShopApp/5.10.4 (Linux; Android 12; Redmi Note 11)",
            "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Mobile Safari/537.36"
        }
    };
    private static final String[] CATEGORIES = {
        "electronics", "home", "fashion", "books", "beauty", "sports", "toys", "grocery", "garden", "office"
    };
    private static final String[] PAGES = {
        "/", "/", "/", "/search", "/deals", "/category/electronics", "/category/home", "/category/fashion",
        "/category/books", "/category/sports", "/account", "/help"
    };
    private static final String[] REFERRERS = {"direct", "direct", "google", "google", "google", "email", "social", "ads"};
    private static final String[] FAILURE_REASONS = {"card_declined", "card_declined", "insufficient_funds", "expired_card", "fraud_suspected"};
    private static final String[] REFUND_REASONS = {"damaged", "not_as_described", "changed_mind", "late_delivery"};

    // --- pre-encoded JSON names and values ------------------------------------------------------
    private static final SerializedString F_EVENT_ID = new SerializedString("event_id");
    private static final SerializedString F_EVENT_TYPE = new SerializedString("event_type");
    private static final SerializedString F_TIMESTAMP = new SerializedString("timestamp");
    private static final SerializedString F_USER_ID = new SerializedString("user_id");
    private static final SerializedString F_SESSION_ID = new SerializedString("session_id");
    private static final SerializedString F_PROPERTIES = new SerializedString("properties");
    private static final SerializedString F_METADATA = new SerializedString("metadata");
    private static final SerializedString F_PRODUCT_ID = new SerializedString("product_id");
    private static final SerializedString F_CATEGORY = new SerializedString("category");
    private static final SerializedString F_PRICE = new SerializedString("price");
    private static final SerializedString F_QUANTITY = new SerializedString("quantity");
    private static final SerializedString F_CART_VALUE = new SerializedString("cart_value");
    private static final SerializedString F_AMOUNT = new SerializedString("amount");
    private static final SerializedString F_CURRENCY = new SerializedString("currency");
    private static final SerializedString F_PAYMENT_METHOD = new SerializedString("payment_method");
    private static final SerializedString F_COUNTRY = new SerializedString("country");
    private static final SerializedString F_ORDER_ID = new SerializedString("order_id");
    private static final SerializedString F_REASON = new SerializedString("reason");
    private static final SerializedString F_PAGE = new SerializedString("page");
    private static final SerializedString F_REFERRER = new SerializedString("referrer");
    private static final SerializedString F_IP = new SerializedString("ip_address");
    private static final SerializedString F_USER_AGENT = new SerializedString("user_agent");
    private static final SerializedString F_PLATFORM = new SerializedString("platform");

    private static final SerializedString[] S_TYPES = ser(TYPES);
    private static final SerializedString[] S_COUNTRIES = ser(COUNTRIES);
    private static final SerializedString[] S_CURRENCIES = ser(CURRENCIES);
    private static final SerializedString[] S_PAYMENT_METHODS = ser(PAYMENT_METHODS);
    private static final SerializedString[] S_PLATFORMS = ser(PLATFORMS);
    private static final SerializedString[][] S_USER_AGENTS = {ser(USER_AGENTS[0]), ser(USER_AGENTS[1]), ser(USER_AGENTS[2])};
    private static final SerializedString[] S_CATEGORIES = ser(CATEGORIES);
    private static final SerializedString[] S_PAGES = ser(PAGES);
    private static final SerializedString[] S_REFERRERS = ser(REFERRERS);
    private static final SerializedString[] S_FAILURE_REASONS = ser(FAILURE_REASONS);
    private static final SerializedString[] S_REFUND_REASONS = ser(REFUND_REASONS);

    private static final double[] COUNTRY_CDF = cdf(COUNTRY_WEIGHTS);
    private static final double[] PAYMENT_CDF = cdf(PAYMENT_WEIGHTS);
    private static final double[] PLATFORM_CDF = cdf(PLATFORM_WEIGHTS);

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int RING = 8192;

    // --- configuration ----------------------------------------------------------------------------
    private final int users;
    private final int products;
    private final long disorderMillis;
    private final double duplicates;
    private final long userSalt;
    private final char[] runId;
    private final SplittableRandom random;

    // --- state ---------------------------------------------------------------------------------------
    private final Session[] sessions;
    private final Ev[] ring = new Ev[RING];
    private long ringWritten;
    private long eventSeq;
    private long sessionSeq;
    private final long[] typeCounts = new long[TYPES.length];
    private long duplicatesEmitted;
    private int lastBatchBytes = 4096;

    // formatting scratch buffers
    private final char[] idBuf = new char[64];
    private final char[] tsBuf = new char[24];
    private final char[] numBuf = new char[32];
    private long cachedDay = Long.MIN_VALUE;

    /** One simulated visit of one user. */
    private static final class Session {
        long id;
        int user;
        int next;           // type of the next event, -1 when the session is over
        int pagesLeft;
        int product;
        int quantity;
        int payment;
        long orderSeq;
        long lagMillis;
        long lastTs;
    }

    /** One emitted event, kept in a ring so that it can be re-sent as a duplicate. */
    private static final class Ev {
        long id;
        int type;
        long ts;
        int user;
        long session;
        int product;
        int quantity;
        int payment;
        long orderSeq;
        int reason;
        int page;
    }

    public EventMix(int users, int products, long disorderMillis, double duplicates, long seed, String runId) {
        this(users, products, disorderMillis, duplicates, seed, seed, runId);
    }

    /**
     * A mix whose users have the attributes (country, platform, payment method) {@code seed} gives them
     * but whose sessions follow {@code streamSeed}: parallel mixes of one population.
     */
    public EventMix(int users, int products, long disorderMillis, double duplicates, long seed, long streamSeed, String runId) {
        if (users < 1 || products < 1 || disorderMillis < 0 || duplicates < 0 || duplicates >= 1) {
            throw new IllegalArgumentException("bad event mix parameters");
        }
        this.users = users;
        this.products = products;
        this.disorderMillis = disorderMillis;
        this.duplicates = duplicates;
        this.random = new SplittableRandom(streamSeed);
        this.userSalt = mix(seed ^ 0x5DEECE66DL);
        this.runId = runId.toCharArray();
        for (int i = 0; i < RING; i++) {
            ring[i] = new Ev();
        }
        sessions = new Session[Math.max(1, Math.min(users, 1000))];
        long now = System.currentTimeMillis();
        for (int i = 0; i < sessions.length; i++) {
            sessions[i] = new Session();
            startSession(sessions[i], now);
        }
    }

    // ============================================================================ batch generation

    /** A growable byte buffer handed to the HTTP client without another copy. */
    public static final class Bytes extends OutputStream {
        byte[] buf;
        int len;

        Bytes(int capacity) {
            buf = new byte[Math.max(capacity, 256)];
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        public byte[] array() {
            return buf;
        }

        public int length() {
            return len;
        }

        public byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    /** A JSON array of {@code n} events stamped around {@code nowMillis}. */
    public Bytes nextBatch(int n, long nowMillis) {
        Bytes out = new Bytes(lastBatchBytes + lastBatchBytes / 8);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (int i = 0; i < n; i++) {
                Ev e;
                if (duplicates > 0 && ringWritten > 0 && random.nextDouble() < duplicates) {
                    long filled = Math.min(ringWritten, RING);
                    e = ring[(int) ((ringWritten - 1 - random.nextLong(filled)) & (RING - 1))];
                    duplicatesEmitted++;
                } else {
                    e = ring[(int) (ringWritten & (RING - 1))];
                    ringWritten++;
                    fresh(e, nowMillis);
                    typeCounts[e.type]++;
                }
                write(g, e);
            }
            g.writeEndArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        lastBatchBytes = out.len;
        return out;
    }

    /** Events generated so far, by type (index as in {@link #TYPES}), not counting duplicates. */
    public long[] typeCounts() {
        return typeCounts.clone();
    }

    public long duplicatesEmitted() {
        return duplicatesEmitted;
    }

    /** Fills {@code e} with the next event of a randomly chosen active session. */
    private void fresh(Ev e, long now) {
        int slot = random.nextInt(sessions.length);
        Session s = sessions[slot];
        if (s.next < 0) {
            startSession(s, now);
        }
        e.id = eventSeq++;
        e.type = s.next;
        e.user = s.user;
        e.session = s.id;
        e.product = s.product;
        e.quantity = s.quantity;
        e.payment = s.payment;
        e.orderSeq = s.orderSeq;
        long ts = Math.max(s.lastTs, now - s.lagMillis);
        s.lastTs = ts;
        e.ts = ts;
        e.reason = 0;
        e.page = 0;
        advance(s, e);
    }

    private void startSession(Session s, long now) {
        s.id = sessionSeq++;
        s.user = pickSkewed(users, 2);
        s.next = PAGE_VIEW;
        s.pagesLeft = 1;
        s.product = -1;
        s.quantity = 0;
        s.payment = userPayment(s.user);
        s.orderSeq = -1;
        s.lagMillis = disorderMillis == 0 ? 0 : random.nextLong(disorderMillis + 1);
        s.lastTs = Long.MIN_VALUE;
    }

    /** Decides what the session does after emitting {@code e} (whose type is {@code s.next}). */
    private void advance(Session s, Ev e) {
        switch (e.type) {
            case PAGE_VIEW -> {
                e.page = random.nextInt(PAGES.length);
                e.reason = random.nextInt(REFERRERS.length);
                if (random.nextDouble() < MORE_PAGE_VIEWS) {
                    s.next = PAGE_VIEW;
                } else if (random.nextDouble() < TO_PRODUCT_VIEW) {
                    s.next = PRODUCT_VIEW;
                    s.product = pickSkewed(products, 3);
                } else {
                    s.next = -1;
                }
            }
            case PRODUCT_VIEW -> {
                if (random.nextDouble() < MORE_PRODUCT_VIEWS) {
                    s.next = PRODUCT_VIEW;
                    s.product = pickSkewed(products, 3);
                } else if (random.nextDouble() < TO_ADD_TO_CART) {
                    s.next = ADD_TO_CART;
                    double q = random.nextDouble();
                    s.quantity = q < 0.8 ? 1 : q < 0.95 ? 2 : 3;
                } else {
                    s.next = -1;
                }
            }
            case ADD_TO_CART -> s.next = random.nextDouble() < TO_CHECKOUT ? CHECKOUT_STARTED : -1;
            case CHECKOUT_STARTED -> {
                if (random.nextDouble() < PAYMENT_FAILS) {
                    s.next = PAYMENT_FAILED;
                } else {
                    s.next = random.nextDouble() < TO_PURCHASE ? PURCHASE_COMPLETED : -1;
                }
            }
            case PAYMENT_FAILED -> {
                e.reason = random.nextInt(FAILURE_REASONS.length);
                if (random.nextDouble() < RETRY_AFTER_FAILURE) {
                    s.next = PURCHASE_COMPLETED;
                    if (random.nextBoolean()) {
                        s.payment = platformPayment(random.nextInt(PAYMENT_METHODS.length), userPlatform(s.user));
                    }
                } else {
                    s.next = -1;
                }
            }
            case PURCHASE_COMPLETED -> {
                s.orderSeq = e.id;
                e.orderSeq = e.id;
                s.next = random.nextDouble() < REFUND ? REFUND_ISSUED : -1;
            }
            case REFUND_ISSUED -> {
                e.reason = random.nextInt(REFUND_REASONS.length);
                s.next = -1;
            }
            default -> s.next = -1;
        }
    }

    // ============================================================================ JSON writing

    private void write(JsonGenerator g, Ev e) throws IOException {
        g.writeStartObject();
        g.writeFieldName(F_EVENT_ID);
        int n = putId(idBuf, 0, "evt_", e.id);
        g.writeString(idBuf, 0, n);
        g.writeFieldName(F_EVENT_TYPE);
        g.writeString(S_TYPES[e.type]);
        g.writeFieldName(F_TIMESTAMP);
        g.writeString(tsBuf, 0, formatIso(e.ts));
        g.writeFieldName(F_USER_ID);
        n = putLong(idBuf, putAscii(idBuf, 0, "user_"), e.user);
        g.writeString(idBuf, 0, n);
        g.writeFieldName(F_SESSION_ID);
        n = putId(idBuf, 0, "sess_", e.session);
        g.writeString(idBuf, 0, n);

        long userHash = mix(userSalt + e.user);
        int country = country(userHash);
        int currency = currencyOf(country);
        int platform = pick(PLATFORM_CDF, unit(userHash >>> 20));

        g.writeFieldName(F_PROPERTIES);
        g.writeStartObject();
        switch (e.type) {
            case PAGE_VIEW -> {
                g.writeFieldName(F_PAGE);
                g.writeString(S_PAGES[e.page]);
                g.writeFieldName(F_REFERRER);
                g.writeString(S_REFERRERS[e.reason]);
            }
            case PRODUCT_VIEW -> {
                writeProduct(g, e.product);
                writeMoney(g, F_PRICE, price(e.product, currency));
                g.writeFieldName(F_CURRENCY);
                g.writeString(S_CURRENCIES[currency]);
            }
            case ADD_TO_CART -> {
                writeProduct(g, e.product);
                writeMoney(g, F_PRICE, price(e.product, currency));
                g.writeFieldName(F_QUANTITY);
                g.writeNumber(e.quantity);
                g.writeFieldName(F_CURRENCY);
                g.writeString(S_CURRENCIES[currency]);
            }
            case CHECKOUT_STARTED -> {
                writeProduct(g, e.product);
                g.writeFieldName(F_QUANTITY);
                g.writeNumber(e.quantity);
                writeMoney(g, F_CART_VALUE, price(e.product, currency) * e.quantity);
                g.writeFieldName(F_CURRENCY);
                g.writeString(S_CURRENCIES[currency]);
            }
            case PAYMENT_FAILED, PURCHASE_COMPLETED, REFUND_ISSUED -> {
                writeProduct(g, e.product);
                g.writeFieldName(F_QUANTITY);
                g.writeNumber(e.quantity);
                writeMoney(g, F_AMOUNT, price(e.product, currency) * e.quantity);
                g.writeFieldName(F_CURRENCY);
                g.writeString(S_CURRENCIES[currency]);
                g.writeFieldName(F_PAYMENT_METHOD);
                g.writeString(S_PAYMENT_METHODS[e.payment]);
                if (e.type == PAYMENT_FAILED) {
                    g.writeFieldName(F_REASON);
                    g.writeString(S_FAILURE_REASONS[e.reason]);
                } else {
                    g.writeFieldName(F_ORDER_ID);
                    n = putId(idBuf, 0, "ord_", e.orderSeq);
                    g.writeString(idBuf, 0, n);
                    if (e.type == REFUND_ISSUED) {
                        g.writeFieldName(F_REASON);
                        g.writeString(S_REFUND_REASONS[e.reason]);
                    }
                }
            }
            default -> { }
        }
        g.writeFieldName(F_COUNTRY);
        g.writeString(S_COUNTRIES[country]);
        g.writeEndObject();

        g.writeFieldName(F_METADATA);
        g.writeStartObject();
        g.writeFieldName(F_IP);
        g.writeString(numBuf, 0, formatIp(userHash));
        g.writeFieldName(F_USER_AGENT);
        SerializableString[] uas = S_USER_AGENTS[platform];
        g.writeString(uas[(int) ((userHash >>> 40) % uas.length)]);
        g.writeFieldName(F_PLATFORM);
        g.writeString(S_PLATFORMS[platform]);
        g.writeEndObject();
        g.writeEndObject();
    }

    private void writeProduct(JsonGenerator g, int product) throws IOException {
        g.writeFieldName(F_PRODUCT_ID);
        int n = putLong(idBuf, putAscii(idBuf, 0, "prod_"), product);
        g.writeString(idBuf, 0, n);
        g.writeFieldName(F_CATEGORY);
        g.writeString(S_CATEGORIES[(int) ((mix(product * 31L + 7) >>> 33) % CATEGORIES.length)]);
    }

    private void writeMoney(JsonGenerator g, SerializableString field, long cents) throws IOException {
        g.writeFieldName(field);
        int n = putLong(numBuf, 0, cents / 100);
        numBuf[n++] = '.';
        long c = cents % 100;
        numBuf[n++] = (char) ('0' + c / 10);
        numBuf[n++] = (char) ('0' + c % 10);
        g.writeNumber(numBuf, 0, n);
    }

    /** A single {@code loadgen_probe} event, stamped {@code nowMillis}. Thread-safe. */
    public static byte[] probe(String runId, long seq, long nowMillis) {
        Bytes out = new Bytes(256);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartArray();
            g.writeStartObject();
            g.writeStringField("event_id", "probe_" + runId + "_" + seq);
            g.writeStringField("event_type", PROBE_TYPE);
            g.writeStringField("timestamp", java.time.Instant.ofEpochMilli(nowMillis).toString());
            g.writeStringField("user_id", "loadgen");
            g.writeStringField("session_id", "probe_" + runId);
            g.writeObjectFieldStart("properties");
            g.writeStringField("run_id", runId);
            g.writeNumberField("probe_seq", seq);
            g.writeEndObject();
            g.writeObjectFieldStart("metadata");
            g.writeStringField("platform", "loadgen");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    // ============================================================================ derived attributes

    private int country(long userHash) {
        return pick(COUNTRY_CDF, unit(userHash));
    }

    static int currencyOf(int country) {
        return switch (COUNTRIES[country]) {
            case "GB" -> 2;
            case "DE", "FR", "ES", "IT", "NL", "IE" -> 1;
            default -> 0;
        };
    }

    private int userPlatform(int user) {
        return pick(PLATFORM_CDF, unit(mix(userSalt + user) >>> 20));
    }

    private int userPayment(int user) {
        long h = mix(userSalt + user);
        return platformPayment(pick(PAYMENT_CDF, unit(Long.rotateLeft(h, 29))), pick(PLATFORM_CDF, unit(h >>> 20)));
    }

    private static int platformPayment(int method, int platform) {
        if (platform == 1 && method == GOOGLE_PAY) {
            return APPLE_PAY;
        }
        if (platform == 2 && method == APPLE_PAY) {
            return GOOGLE_PAY;
        }
        return method;
    }

    /**
     * Price of one unit in the given currency, in cents: log-uniform between about 5 and 800 USD,
     * converted and rounded to a .99 (or .49 for cheap items) ending.
     */
    static long price(int product, int currency) {
        double u = unit(mix(product * 0x9E3779B97F4A7C15L + 12345));
        double usd = 5 * Math.pow(160, u);
        double local = usd * CURRENCY_RATE[currency];
        long whole = Math.max(1, Math.round(local));
        return whole < 10 ? whole * 100 - 51 : whole * 100 - 1;
    }

    /** Index in [0, n) with the low indices more popular: {@code n * u^power}. */
    private int pickSkewed(int n, int power) {
        double u = random.nextDouble();
        double p = u;
        for (int i = 1; i < power; i++) {
            p *= u;
        }
        return Math.min(n - 1, (int) (p * n));
    }

    private static int pick(double[] cdf, double u) {
        for (int i = 0; i < cdf.length - 1; i++) {
            if (u < cdf[i]) {
                return i;
            }
        }
        return cdf.length - 1;
    }

    private int formatIp(long h) {
        int a = (int) ((h >>> 8) & 0xFF);
        if (a == 0 || a == 10 || a == 127 || a >= 224) {
            a = 23 + (a % 150);
        }
        int n = putLong(numBuf, 0, a);
        numBuf[n++] = '.';
        n = putLong(numBuf, n, (h >>> 16) & 0xFF);
        numBuf[n++] = '.';
        n = putLong(numBuf, n, (h >>> 24) & 0xFF);
        numBuf[n++] = '.';
        return putLong(numBuf, n, 1 + ((h >>> 32) & 0xFF) % 254);
    }

    // ============================================================================ formatting

    /** {@code prefix + runId + "_" + seq} in base 36. */
    private int putId(char[] buf, int at, String prefix, long seq) {
        at = putAscii(buf, at, prefix);
        System.arraycopy(runId, 0, buf, at, runId.length);
        at += runId.length;
        buf[at++] = '_';
        return putBase36(buf, at, seq);
    }

    private static int putAscii(char[] buf, int at, String s) {
        s.getChars(0, s.length(), buf, at);
        return at + s.length();
    }

    private static int putLong(char[] buf, int at, long v) {
        if (v == 0) {
            buf[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            buf[i] = (char) ('0' + v % 10);
            v /= 10;
        }
        return at + digits;
    }

    private static int putBase36(char[] buf, int at, long v) {
        if (v == 0) {
            buf[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 36) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            buf[i] = Character.forDigit((int) (v % 36), 36);
            v /= 36;
        }
        return at + digits;
    }

    /** Writes {@code yyyy-MM-ddTHH:mm:ss.SSSZ} into {@link #tsBuf}; returns its length (24). */
    int formatIso(long millis) {
        long day = Math.floorDiv(millis, 86_400_000L);
        if (day != cachedDay) {
            String date = LocalDate.ofEpochDay(day).toString();
            if (date.length() != 10) {
                throw new IllegalArgumentException("timestamp out of range: " + millis);
            }
            date.getChars(0, 10, tsBuf, 0);
            tsBuf[10] = 'T';
            tsBuf[13] = ':';
            tsBuf[16] = ':';
            tsBuf[19] = '.';
            tsBuf[23] = 'Z';
            cachedDay = day;
        }
        int ms = (int) Math.floorMod(millis, 86_400_000L);
        int h = ms / 3_600_000;
        int m = ms / 60_000 % 60;
        int s = ms / 1000 % 60;
        int f = ms % 1000;
        tsBuf[11] = (char) ('0' + h / 10);
        tsBuf[12] = (char) ('0' + h % 10);
        tsBuf[14] = (char) ('0' + m / 10);
        tsBuf[15] = (char) ('0' + m % 10);
        tsBuf[17] = (char) ('0' + s / 10);
        tsBuf[18] = (char) ('0' + s % 10);
        tsBuf[20] = (char) ('0' + f / 100);
        tsBuf[21] = (char) ('0' + f / 10 % 10);
        tsBuf[22] = (char) ('0' + f % 10);
        return 24;
    }

    String lastFormatted() {
        return new String(tsBuf);
    }

    // ============================================================================ helpers

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) from the high 53 bits... of whatever is passed (callers shift as they like). */
    private static double unit(long h) {
        return (mix(h) >>> 11) * 0x1.0p-53;
    }

    private static double[] cdf(double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double[] out = new double[weights.length];
        double acc = 0;
        for (int i = 0; i < weights.length; i++) {
            acc += weights[i];
            out[i] = acc / total;
        }
        return out;
    }

    private static SerializedString[] ser(String[] values) {
        SerializedString[] out = new SerializedString[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = new SerializedString(values[i]);
        }
        return out;
    }
}
