package io.analytics.core.window;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Tumbling event-time windows, aligned to the UTC epoch. */
public enum WindowSize {
    ONE_MINUTE("1m", 60_000L),
    FIVE_MINUTES("5m", 300_000L),
    ONE_HOUR("1h", 3_600_000L),
    ONE_DAY("1d", 86_400_000L);

    private final String code;
    private final long millis;

    WindowSize(String code, long millis) {
        this.code = code;
        this.millis = millis;
    }

    public String code() {
        return code;
    }

    public long millis() {
        return millis;
    }

    /** Start of the window holding {@code epochMillis}; floor division keeps pre-1970 times aligned too. */
    public long startOf(long epochMillis) {
        return Math.floorDiv(epochMillis, millis) * millis;
    }

    public long endOf(long windowStart) {
        return windowStart + millis;
    }

    public static WindowSize fromCode(String code) {
        for (WindowSize size : values()) {
            if (size.code.equals(code)) {
                return size;
            }
        }
        throw new IllegalArgumentException("window: must be one of " + codes() + ", got '" + code + "'");
    }

    public static String codes() {
        return Arrays.stream(values()).map(WindowSize::code).collect(Collectors.joining(", "));
    }
}
