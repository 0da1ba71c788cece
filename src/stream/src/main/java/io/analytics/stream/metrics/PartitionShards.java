package io.analytics.stream.metrics;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Aligns shards with Kafka partitions: the entity of partition N lives in shard N, so a shard
 * rebalance moves exactly the state of the partitions it moves.
 */
public final class PartitionShards extends ShardingMessageExtractor<ShardingEnvelope<MetricPartition.Command>, MetricPartition.Command> {

    @Override
    public String entityId(ShardingEnvelope<MetricPartition.Command> envelope) {
        return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
        return entityId;
    }

    @Override
    public MetricPartition.Command unwrapMessage(ShardingEnvelope<MetricPartition.Command> envelope) {
        return envelope.message();
    }
}
