package io.analytics.stream.consumer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Partitions this consumer was assigned and positioned, but for which the Kafka source never started
 * a stream. pekko-connectors-kafka's partitioned source can lose a partition that way: when a rebalance
 * revokes it while its positions are still being fetched and then assigns it again, the late answer
 * is dropped as revoked and the new assignment is taken for one that already has a stream. Nothing
 * fails; the partition is simply never read again. Positions come from the entities, which are slow
 * to answer exactly when a rebalance follows another (a node failing over), so this is watched for.
 *
 * <p>Not thread-safe: the consumer guards it.
 */
final class StreamlessPartitions {

    private final long deadlineNanos;
    /** Partition → when its position was fetched (nanoTime), for partitions without a stream yet. */
    private final Map<Integer, Long> positioned = new HashMap<>();
    /** Partition → its streams still running: one normally, two while a restarted consumer's overlaps the old one's. */
    private final Map<Integer, Integer> streaming = new HashMap<>();

    /** @param deadline how long a positioned partition may wait for its stream before it counts as lost */
    StreamlessPartitions(Duration deadline) {
        this.deadlineNanos = deadline.toNanos();
    }

    void positioned(Collection<Integer> partitions, long nowNanos) {
        for (int partition : partitions) {
            if (!streaming.containsKey(partition)) {
                positioned.put(partition, nowNanos);
            }
        }
    }

    void started(int partition) {
        positioned.remove(partition);
        streaming.merge(partition, 1, Integer::sum);
    }

    void ended(int partition) {
        streaming.computeIfPresent(partition, (p, count) -> count > 1 ? count - 1 : null);
    }

    /** Partitions the consumer no longer owns: a stream that is not coming is not owed. */
    void revoked(Collection<Integer> partitions) {
        partitions.forEach(positioned::remove);
    }

    /** The positioned partitions still without a stream after the deadline, in order. */
    Set<Integer> overdue(long nowNanos) {
        Set<Integer> overdue = new TreeSet<>();
        positioned.forEach((partition, since) -> {
            if (nowNanos - since >= deadlineNanos) {
                overdue.add(partition);
            }
        });
        return overdue;
    }

    /** A new consumer has been assigned nothing yet; the old one's streams end on their own. */
    void restarted() {
        positioned.clear();
    }
}
