/** Kafka partition consumers that turn the raw topic into micro-batches for the metric entities. */
package io.analytics.stream.consumer;
