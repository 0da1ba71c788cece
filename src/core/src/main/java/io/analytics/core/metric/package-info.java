/**
 * Metrics: events pre-aggregate into {@link io.analytics.core.metric.MetricCell cells} keyed by window,
 * dimension value and event type ({@link io.analytics.core.metric.PartitionBatch}); queries select
 * cells and combine them into series ({@link io.analytics.core.metric.SeriesAssembler}).
 */
package io.analytics.core.metric;
