/**
 * Stream processing: Kafka partition consumers ({@link io.analytics.stream.consumer}) pre-aggregate
 * micro-batches and hand them to one event-sourced {@link io.analytics.stream.metrics.MetricPartition}
 * entity per partition, which holds the open windows; closed windows flow through a projection into
 * the read model ({@link io.analytics.stream.readmodel}).
 *
 * <p>Public surface: {@link io.analytics.stream.metrics.MetricPartition} (its commands and replies),
 * {@link io.analytics.stream.consumer.PartitionConsumer}, {@link io.analytics.stream.readmodel.MetricCellStore}
 * and {@link io.analytics.stream.readmodel.ClosedWindowsProjection}. Depends on the core only.
 */
package io.analytics.stream;
