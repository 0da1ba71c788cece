package io.analytics.ops;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** What a Kafka consumer of this node tells about its progress, for lag and readiness. */
public interface ConsumerProgress {

    /** The topic consumed. */
    String topic();

    /** The consumer group this node's consumer belongs to. */
    String groupId();

    /** The consumer's Kafka client id, unique to it, by which the group's description tells its partitions apart. */
    String clientId();

    /** For each partition this node consumes now: the next offset it will apply. */
    Map<Integer, Long> nextOffsets();

    /** What the consumer group has given this consumer so far. */
    CompletionStage<Membership> membership();

    /**
     * Whether the consumer has joined its group, and how many partitions the group assigned to it (possibly
     * none); an assigned partition appears in {@link #nextOffsets()} once the consumer has resumed it.
     */
    record Membership(boolean joined, int assignedPartitions) {}
}
