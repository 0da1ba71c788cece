/**
 * Event-sourced orders. {@link io.analytics.orders.OrderEntity} is the sharded write side: it runs
 * commands through the pure {@link io.analytics.core.order.Order} state machine, journals the
 * resulting events in PostgreSQL, enforces optimistic concurrency ({@code If-Match}) and idempotency
 * ({@code Idempotency-Key}). {@link io.analytics.orders.OrderJournal} reads the journal back for the
 * audit trail and time travel; {@link io.analytics.orders.OrderRoutes} is the HTTP API.
 *
 * <p>Depends on the core only; the node wires it in.
 */
package io.analytics.orders;
