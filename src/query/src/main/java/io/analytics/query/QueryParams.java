package io.analytics.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/** What the query endpoints read the same way: time ranges, dimensions, the stream's watermark. */
final class QueryParams {

    /** A half-open range of epoch milliseconds. */
    record Range(long start, long end) {}

    private QueryParams() {}

    /**
     * {@code start_time} inclusive and {@code end_time} exclusive; or {@code last} (e.g. {@code 1h})
     * ending now; by default the 24 hours up to now.
     */
    static Range range(Map<String, String> params, Clock clock) {
        if (params.containsKey("last")) {
            if (params.containsKey("start_time") || params.containsKey("end_time")) {
                throw new IllegalArgumentException("last: give either last or start_time/end_time, not both");
            }
            long end = clock.millis();
            return new Range(end - duration("last", params.get("last")).toMillis(), end);
        }
        long end = params.containsKey("end_time") ? time("end_time", params.get("end_time")) : clock.millis();
        long start = params.containsKey("start_time")
                ? time("start_time", params.get("start_time"))
                : end - Duration.ofDays(1).toMillis();
        return new Range(start, end);
    }

    static long time(String name, String value) {
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(value);
            }
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(name + ": must be ISO-8601 with an offset (2026-02-16T10:00:00Z) or epoch milliseconds");
        }
    }

    static Duration duration(String name, String value) {
        if (value != null && value.matches("[1-9][0-9]{0,5}[mhd]")) {
            long amount = Long.parseLong(value.substring(0, value.length() - 1));
            return switch (value.charAt(value.length() - 1)) {
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        throw new IllegalArgumentException(name + ": must be a whole number of minutes, hours or days (30m, 1h, 7d), got '"
                + value + "'");
    }

    /** A group-by dimension must be one the stream pre-aggregates. */
    static String dimension(String name, String value, Set<String> configured) {
        if (value != null && !configured.contains(value)) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a pre-aggregated dimension; "
                    + "configured: " + String.join(", ", configured.stream().sorted().toList())
                    + " (add it to analytics.metrics.dimensions)");
        }
        return value;
    }

    /** The stream's watermark, or null before any partition has one; windows ending at or before it are final. */
    static void putWatermark(ObjectNode body, long watermark) {
        if (watermark == Long.MIN_VALUE) {
            body.putNull("watermark");
        } else {
            body.put("watermark", Instant.ofEpochMilli(watermark).toString());
        }
    }

    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
