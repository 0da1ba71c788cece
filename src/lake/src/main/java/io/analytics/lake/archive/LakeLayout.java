package io.analytics.lake.archive;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where archived events live in the store: {@code events/year=YYYY/month=MM/day=DD/hour=HH/} by event
 * time (UTC), and in it {@code <topic>-<partition>-<first offset>-<last offset>.parquet}, offsets
 * zero-padded so that keys sort in offset order.
 */
public final class LakeLayout {

    public static final String ROOT = "events/";
    private static final Pattern FILE = Pattern.compile(".*/([^/]+)-(\\d+)-(\\d{19})-(\\d{19})\\.parquet");

    private LakeLayout() {}

    /** The folder of the hour that contains {@code eventTime}. */
    public static String hourPrefix(long eventTime) {
        ZonedDateTime t = Instant.ofEpochMilli(eventTime).atZone(ZoneOffset.UTC);
        return String.format("%syear=%04d/month=%02d/day=%02d/hour=%02d/", ROOT, t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour());
    }

    /** The folder of a whole UTC day. */
    public static String dayPrefix(LocalDate day) {
        return String.format("%syear=%04d/month=%02d/day=%02d/", ROOT, day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    public static String fileKey(long eventTime, String topic, int partition, long firstOffset, long lastOffset) {
        return hourPrefix(eventTime) + String.format("%s-%d-%019d-%019d.parquet", topic, partition, firstOffset, lastOffset);
    }

    /** The Kafka partition and offset range a file key names. */
    public record FileRange(String topic, int partition, long firstOffset, long lastOffset) {

        public static FileRange of(String key) {
            Matcher m = FILE.matcher(key);
            if (!m.matches()) {
                throw new IllegalArgumentException("not an archive file key: " + key);
            }
            return new FileRange(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
        }
    }
}
