/**
 * User journeys: what a user's events mean taken in event-time order, rather than counted per window.
 * {@link io.analytics.core.journey.Sessions} cuts a user's events into sessions at gaps of inactivity
 * and summarises them; {@link io.analytics.core.journey.Funnel} finds how far each user got through an
 * ordered list of steps within a conversion window.
 *
 * <p>Both work on {@link io.analytics.core.journey.UserEvent}s already grouped by user and fetched for
 * the query's range; they know nothing of where the events are stored. Pure and deterministic:
 * events with equal timestamps are ordered by event id, so the same input always gives the same answer.
 */
package io.analytics.core.journey;
