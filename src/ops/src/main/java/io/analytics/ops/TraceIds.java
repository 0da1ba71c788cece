package io.analytics.ops;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trace ids in the W3C Trace Context format (32 lowercase hex digits). Ingest takes the id of an incoming
 * {@code traceparent} header or makes one, answers it in {@value #HTTP_HEADER}, writes it into every record's
 * {@value #KAFKA_HEADER} header, and whoever handles the record puts it into the log MDC under {@value #MDC_KEY}.
 */
public final class TraceIds {

    public static final String KAFKA_HEADER = "trace_id";
    public static final String MDC_KEY = "trace_id";
    public static final String HTTP_HEADER = "X-Trace-Id";
    public static final String TRACEPARENT = "traceparent";

    private static final Pattern TRACEPARENT_FORMAT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final String INVALID = "0".repeat(32);

    private TraceIds() {}

    public static String newTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong() | 1L) + HexFormat.of().toHexDigits(random.nextLong());
    }

    /** The trace id of a valid {@code traceparent} header; otherwise a new one (the request starts a trace). */
    public static String fromTraceparent(Optional<String> traceparent) {
        return traceparent.map(value -> TRACEPARENT_FORMAT.matcher(value.trim()))
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .filter(id -> !id.equals(INVALID))
                .orElseGet(TraceIds::newTraceId);
    }
}
