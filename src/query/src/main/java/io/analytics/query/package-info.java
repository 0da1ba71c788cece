/**
 * Query API: {@code GET /api/v1/metrics}. Answers from the cells the metric entities still hold (open
 * and recently closed windows, fresh to the last micro-batch) merged with the read model of closed
 * windows; never from raw events.
 *
 * <p>Public surface: {@link io.analytics.query.MetricsService} and {@link io.analytics.query.MetricsRoutes}.
 * Depends on the core and on the stream module's entity protocol and read model.
 */
package io.analytics.query;
