/** The event-sourced metric entities: one per raw-topic partition, holding its open windows. */
package io.analytics.stream.metrics;
