package io.analytics.core.window;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The windows a query asks for: windows of {@code sizeMillis} starting every {@code slideMillis},
 * aligned to the UTC epoch, assembled from stored tumbling windows of size {@code base}. Tumbling
 * windows are the case slide = size. The base is the largest stored size dividing both the size and
 * the slide, so every asked window is an exact union of base windows.
 */
public record WindowSpec(long sizeMillis, long slideMillis, WindowSize base) {

    /** A sliding window never spans more base windows than a day of minutes: bounds the work per point. */
    public static final int MAX_BASE_WINDOWS_PER_WINDOW = 1440;

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})([mhd])");

    public WindowSpec {
        if (sizeMillis % base.millis() != 0 || slideMillis % base.millis() != 0) {
            throw new IllegalArgumentException("window and slide must be multiples of " + base.code());
        }
    }

    public static WindowSpec tumbling(WindowSize size) {
        return new WindowSpec(size.millis(), size.millis(), size);
    }

    /**
     * Reads {@code window} and the optional {@code slide} of a query. Without a slide the windows
     * tumble (slide = window). Each is a count of minutes, hours or days ({@code 5m}, {@code 2h},
     * {@code 1d}).
     */
    public static WindowSpec parse(String window, String slide) {
        long size = duration("window", window);
        long step = slide == null ? size : duration("slide", slide);
        if (step > size) {
            throw new IllegalArgumentException("slide: must not be longer than the window (" + window + "), got '" + slide + "'");
        }
        if (size % step != 0) {
            throw new IllegalArgumentException("slide: must divide the window (" + window + ") evenly, got '" + slide + "'");
        }
        WindowSize base = largestDividing(size, step);
        if (base == null) {
            throw new IllegalArgumentException("window: must be a multiple of a stored window size ("
                    + WindowSize.codes() + "), got '" + window + "'");
        }
        if (size / base.millis() > MAX_BASE_WINDOWS_PER_WINDOW) {
            throw new IllegalArgumentException("window: '" + window + "' with slide '" + (slide == null ? window : slide)
                    + "' would combine more than " + MAX_BASE_WINDOWS_PER_WINDOW + " stored " + base.code()
                    + " windows per point; use a slide that is a multiple of a larger stored size");
        }
        return new WindowSpec(size, step, base);
    }

    private static long duration(String name, String text) {
        Matcher m = text == null ? null : DURATION.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(name + ": must be a whole number of minutes, hours or days (5m, 2h, 1d), got '"
                    + text + "'");
        }
        long unit = switch (m.group(2)) {
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 86_400_000L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    private static WindowSize largestDividing(long size, long slide) {
        WindowSize[] sizes = WindowSize.values();
        for (int i = sizes.length - 1; i >= 0; i--) {
            if (size % sizes[i].millis() == 0 && slide % sizes[i].millis() == 0) {
                return sizes[i];
            }
        }
        return null;
    }

    public boolean sliding() {
        return slideMillis != sizeMillis;
    }

    /** The query's name for the window size, e.g. {@code 5m}; a stored size keeps its code. */
    public String sizeCode() {
        return code(sizeMillis);
    }

    public String slideCode() {
        return code(slideMillis);
    }

    /** The first window start at or after {@code from}. */
    public long firstStart(long from) {
        return Math.floorDiv(from + slideMillis - 1, slideMillis) * slideMillis;
    }

    /** The last window start before {@code to}, or less than {@link #firstStart} when there is none. */
    public long lastStart(long to) {
        return Math.floorDiv(to - 1, slideMillis) * slideMillis;
    }

    public long endOf(long windowStart) {
        return windowStart + sizeMillis;
    }

    private static String code(long millis) {
        if (millis % 86_400_000L == 0) {
            return millis / 86_400_000L + "d";
        }
        if (millis % 3_600_000L == 0) {
            return millis / 3_600_000L + "h";
        }
        return millis / 60_000L + "m";
    }
}
