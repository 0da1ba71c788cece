package io.analytics.hub;

import java.time.Duration;

/**
 * When the registry starts a round of evaluations: every tick, or every behind tick while the node
 * is behind what it is sent. Live dashboards are what yields when a node is saturated: a thousand
 * clients cost a write each per round, and at four rounds a second they took a median 23% of a
 * saturated two-core node's throughput; at one a second, 9%.
 *
 * <p>The signal is the node's own backlog, not how busy the CPUs are: on two cores the CPUs are 85%
 * busy already at half the sustained rate, where dashboards should stay quick. A saturated node shows
 * it in two places ({@link NodeLoad}): its ingest waits longer for Kafka to take events (when the node
 * cannot accept events as fast as they are sent, its broker's threads wait for the cores), or its
 * pipeline applies ever older events (when producers write to Kafka faster than the node consumes).
 * Each is compared with its threshold; the larger ratio, smoothed over about a second, is the pressure.
 * Behind starts when the pressure reaches 1 and ends when it falls under half, so a load hovering at
 * a threshold does not flip the pace every tick.
 *
 * <p>Not thread-safe: the registry's actor owns it.
 */
final class TickPace {

    /** Weight of a new reading: one tick's reading is too noisy to judge by (a collection, a burst of requests). */
    private static final double SMOOTHING = 0.3;
    private static final double CAUGHT_UP = 0.5;

    private final long tickMillis;
    private final long behindTickMillis;
    private final double behindStoreNanos;
    private final double behindDelayNanos;
    private double pressure;
    private boolean behind;
    private long lastRound = Long.MIN_VALUE;

    /**
     * @param behindStoreTime the ingest store time from which the node counts as behind
     * @param behindDelay the pipeline delay from which the node counts as behind
     */
    TickPace(Duration tick, Duration behindTick, Duration behindStoreTime, Duration behindDelay) {
        this.tickMillis = tick.toMillis();
        this.behindTickMillis = behindTick.toMillis();
        this.behindStoreNanos = behindStoreTime.toNanos();
        this.behindDelayNanos = behindDelay.toNanos();
    }

    /** Called at every tick with the node's load now; true when a round starts now. */
    boolean startRound(long nowMillis, NodeLoad load) {
        double reading = Math.max(load.ingestStoreTime().toNanos() / behindStoreNanos, load.pipelineDelay().toNanos() / behindDelayNanos);
        pressure += SMOOTHING * (reading - pressure);
        if (pressure >= 1) {
            behind = true;
        } else if (pressure < CAUGHT_UP) {
            behind = false;
        }
        long interval = behind ? behindTickMillis : tickMillis;
        // Half a tick of slack: the timer's delays drift, and a round due a few ms from now would otherwise wait a whole tick.
        if (lastRound != Long.MIN_VALUE && nowMillis - lastRound < interval - tickMillis / 2) {
            return false;
        }
        lastRound = nowMillis;
        return true;
    }

    boolean behind() {
        return behind;
    }
}
