/**
 * The order aggregate as a pure state machine: {@link io.analytics.core.order.Order} is a fold over
 * {@link io.analytics.core.order.OrderEvent}s, and {@link io.analytics.core.order.Order#decide} turns an
 * {@link io.analytics.core.order.OrderCommand} into new events or a typed
 * {@link io.analytics.core.order.OrderRejection}. The sharded entity, the journal and the HTTP API
 * live elsewhere and only call this.
 */
package io.analytics.core.order;
