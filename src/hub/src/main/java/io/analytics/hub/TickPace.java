package io.analytics.hub;

import java.time.Duration;

/**
 * When the registry starts a round of evaluations: every tick, or every busy tick while the node's CPUs
 * are busy. Live dashboards are what yields when a node is saturated: a thousand clients cost a write
 * each per round, and at four rounds a second they took a median 23% of a saturated two-core node's
 * throughput; at one a second while busy, 9%. Busy starts when the smoothed load reaches
 * {@code busyAt} and ends when it falls a margin below, so a load hovering at the threshold does not
 * flip the pace every tick.
 *
 * <p>Not thread-safe: the registry's actor owns it.
 */
final class TickPace {

    /** How far under {@code busyAt} the load must fall to end busy. */
    static final double IDLE_MARGIN = 0.15;
    /** Weight of a new reading: a reading covers one tick, and one tick is too short to judge by. */
    private static final double SMOOTHING = 0.3;

    private final long tickMillis;
    private final long busyTickMillis;
    private final double busyAt;
    private double load;
    private boolean busy;
    private long lastRound = Long.MIN_VALUE;

    /** @param busyAt the share of the CPUs (0–1) busy from which rounds slow to {@code busyTick} */
    TickPace(Duration tick, Duration busyTick, double busyAt) {
        this.tickMillis = tick.toMillis();
        this.busyTickMillis = busyTick.toMillis();
        this.busyAt = busyAt;
    }

    /**
     * Called at every tick with the CPU load since the previous one (negative when unknown, which counts as
     * idle); true when a round starts now.
     */
    boolean startRound(long nowMillis, double reading) {
        load += SMOOTHING * (Math.max(0, reading) - load);
        if (load >= busyAt) {
            busy = true;
        } else if (load < busyAt - IDLE_MARGIN) {
            busy = false;
        }
        long interval = busy ? busyTickMillis : tickMillis;
        // Half a tick of slack: the timer's delays drift, and a round due a few ms from now would otherwise wait a whole tick.
        if (lastRound != Long.MIN_VALUE && nowMillis - lastRound < interval - tickMillis / 2) {
            return false;
        }
        lastRound = nowMillis;
        return true;
    }

    boolean busy() {
        return busy;
    }
}
