package io.analytics.core.order;

/** Where an order is in its life. */
public enum OrderStatus {
    /** Placed, not yet confirmed. */
    CREATED,
    CONFIRMED,
    /** A payment was requested and its outcome is not known yet. */
    PAYMENT_PENDING,
    PAID,
    SHIPPED,
    DELIVERED,
    CANCELLED,
    /** Everything paid was refunded. */
    REFUNDED
}
