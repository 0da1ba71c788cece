/**
 * Projections and read models (the Q of CQRS): each reads one entity journal by tag and keeps SQL
 * tables that queries read. {@link io.analytics.projections.ClosedWindowsProjection} stores closed
 * metric windows in {@link io.analytics.projections.MetricCellStore}; the order read models follow
 * the orders journal. Works on PostgreSQL and on H2 (the embedded default).
 *
 * <p>Depends on the core and on the journal protocols of the stream and orders modules.
 */
package io.analytics.projections;
