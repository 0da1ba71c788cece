package io.analytics.core.window;

import java.util.Collection;

/**
 * The event-time progress of the whole stream: the minimum of the watermarks of the partitions that
 * are active. A partition that has taken no records for the idle timeout does not hold the others
 * back, so one quiet partition cannot stall every window; when every partition is idle, nothing is
 * moving and the furthest watermark any partition reached is taken.
 */
public final class OperatorWatermark {

    /** One partition's watermark and how long ago (processing time) it last took records. */
    public record PartitionWatermark(int partition, long watermark, long idleMillis) {

        public boolean idle(long idleTimeoutMillis) {
            return idleMillis >= idleTimeoutMillis;
        }
    }

    private OperatorWatermark() {}

    /** {@link Long#MIN_VALUE} when there are no partitions: nothing is final. */
    public static long of(Collection<PartitionWatermark> partitions, long idleTimeoutMillis) {
        long activeMin = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean anyActive = false;
        for (PartitionWatermark p : partitions) {
            max = Math.max(max, p.watermark());
            if (!p.idle(idleTimeoutMillis)) {
                anyActive = true;
                activeMin = Math.min(activeMin, p.watermark());
            }
        }
        return anyActive ? activeMin : max;
    }
}
