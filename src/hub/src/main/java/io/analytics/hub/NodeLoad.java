package io.analytics.hub;

import java.time.Duration;

/**
 * What tells the hub whether its node keeps up with what it is sent, read at every tick.
 *
 * @param ingestStoreTime how long Kafka has lately taken to acknowledge an ingest request's events (zero when idle)
 * @param pipelineDelay how old the events the node's pipeline applies now are (zero when idle)
 */
public record NodeLoad(Duration ingestStoreTime, Duration pipelineDelay) {

    public static final NodeLoad IDLE = new NodeLoad(Duration.ZERO, Duration.ZERO);
}
