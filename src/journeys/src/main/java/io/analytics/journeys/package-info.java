/**
 * User journeys: a consumer group of its own on the raw topic records every event of a known user
 * ({@link io.analytics.journeys.JourneyRecorder}) into one table, {@code user_events}
 * ({@link io.analytics.journeys.UserEventStore}), from which sessions and funnels are computed at query
 * time by the pure core ({@code io.analytics.core.journey}).
 *
 * <p>Why raw events rather than pre-aggregates: a funnel's steps and window, and a session's gap, are
 * chosen per query and relate events across windows, so no fixed cell can answer them. Keeping the
 * events of known users in event-time order makes every answer exact, late and out-of-order events
 * included (a late event simply lands in its place).
 *
 * <p>Delivery is at-least-once (offsets committed to Kafka after the rows are written) and the write is
 * idempotent by {@code (project_id, event_id)}, so a replay after a crash records nothing twice.
 * Boundaries: no Pekko sharding, no HTTP; the query endpoints live in {@code io.analytics.query}.
 */
package io.analytics.journeys;
