/**
 * Stream processing: Kafka partition consumers ({@link io.analytics.stream.consumer}) pre-aggregate
 * micro-batches and hand them to one event-sourced {@link io.analytics.stream.metrics.MetricPartition}
 * entity per partition, which holds the open windows and journals the closed ones for the projections
 * module to store.
 *
 * <p>Public surface: {@link io.analytics.stream.metrics.MetricPartition} (its commands, replies and
 * events) and {@link io.analytics.stream.consumer.PartitionConsumer}. Depends on the core only.
 */
package io.analytics.stream;
