package io.analytics.core.event;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * ISO-8601 timestamps with an offset, to epoch milliseconds. The shape nearly every client sends,
 * {@code 2026-02-16T10:30:00Z} or {@code 2026-02-16T10:30:00.123Z}, is read directly; java.time's
 * general parser, several times slower, handles the rest.
 */
final class IsoTimestamps {

    private IsoTimestamps() {}

    static long parse(String text) {
        long millis = parseUtc(text);
        if (millis != Long.MIN_VALUE) {
            return millis;
        }
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
    }

    /** Epoch millis of {@code yyyy-MM-ddTHH:mm:ss[.SSS]Z}, or Long.MIN_VALUE when the text has another shape. */
    private static long parseUtc(String s) {
        int length = s.length();
        if ((length != 20 && length != 24) || s.charAt(length - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':' || (length == 24 && s.charAt(19) != '.')) {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int milli = length == 24 ? digits(s, 20, 3) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || milli < 0) {
            return Long.MIN_VALUE;
        }
        if (day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return Long.MIN_VALUE;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return ((epochDay * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + milli;
    }

    /** The decimal number in s[from, from + count), or -1 if any of it is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
