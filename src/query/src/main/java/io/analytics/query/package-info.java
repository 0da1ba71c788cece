/**
 * Query API: {@code GET /api/v1/metrics} (tumbling and sliding windows), {@code GET /api/v1/top}
 * (top-K of a dimension) and {@code GET /api/v1/watermarks} (event-time progress). Answers from the
 * cells the metric entities still hold (open and recently closed windows, fresh to the last
 * micro-batch) merged with the read model of closed windows; never from raw events.
 *
 * <p>Public surface: {@link io.analytics.query.MetricsService} and the routes
 * ({@link io.analytics.query.MetricsRoutes}, {@link io.analytics.query.TopRoutes},
 * {@link io.analytics.query.WatermarkRoutes}).
 * Depends on the core and on the stream module's entity protocol and read model.
 */
package io.analytics.query;
