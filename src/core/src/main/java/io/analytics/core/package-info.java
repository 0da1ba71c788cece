/**
 * The pure domain core of the analytics platform: what an event is and how it is validated
 * ({@link io.analytics.core.event}), how event time maps to windows ({@link io.analytics.core.window}),
 * and how events pre-aggregate into metric cells and cells into query answers
 * ({@link io.analytics.core.metric}), and what a user's events mean in order: sessions and funnels
 * ({@link io.analytics.core.journey}).
 *
 * <p>It knows nothing of Pekko, Kafka or SQL: every other module depends on it, it depends on none of
 * them, and it is unit-tested in isolation.
 */
package io.analytics.core;
