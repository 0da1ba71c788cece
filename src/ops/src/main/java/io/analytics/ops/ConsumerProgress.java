package io.analytics.ops;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** What a Kafka consumer of this node tells about its progress, for lag and readiness. */
public interface ConsumerProgress {

    /** The topic consumed. */
    String topic();

    /** For each partition this node consumes now: the next offset it will apply. */
    Map<Integer, Long> nextOffsets();

    /** Whether the consumer has joined its group and been given its share of partitions (possibly none). */
    CompletionStage<Boolean> joinedGroup();
}
