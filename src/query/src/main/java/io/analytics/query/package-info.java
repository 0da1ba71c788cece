/**
 * Query API: {@code GET /api/v1/metrics} (tumbling and sliding windows), {@code GET /api/v1/top}
 * (top-K of a dimension) and {@code GET /api/v1/watermarks} (event-time progress) answer from the
 * cells the metric entities still hold (open and recently closed windows, fresh to the last
 * micro-batch) merged with the read model of closed windows, never from raw events.
 * {@code GET /api/v1/sessions} and {@code GET /api/v1/funnels} relate a user's events across windows, so
 * they answer from the recorded user events instead ({@link io.analytics.query.JourneyRoutes}).
 *
 * <p>Public surface: {@link io.analytics.query.MetricsService} and the routes
 * ({@link io.analytics.query.MetricsRoutes}, {@link io.analytics.query.TopRoutes},
 * {@link io.analytics.query.WatermarkRoutes}, {@link io.analytics.query.JourneyRoutes}).
 * Depends on the core, the stream module's entity protocol and read model, and the journeys store.
 */
package io.analytics.query;
