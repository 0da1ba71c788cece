package io.analytics.core.order;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Everything that can happen to an order; the journal of an order is a list of these. The type name is
 * written with each event so that journals, the audit trail and the domain events topic are
 * self-describing.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(OrderEvent.OrderCreated.class),
    @JsonSubTypes.Type(OrderEvent.OrderConfirmed.class),
    @JsonSubTypes.Type(OrderEvent.PaymentRequested.class),
    @JsonSubTypes.Type(OrderEvent.PaymentSucceeded.class),
    @JsonSubTypes.Type(OrderEvent.PaymentFailed.class),
    @JsonSubTypes.Type(OrderEvent.OrderShipped.class),
    @JsonSubTypes.Type(OrderEvent.OrderDelivered.class),
    @JsonSubTypes.Type(OrderEvent.OrderCancelled.class),
    @JsonSubTypes.Type(OrderEvent.OrderRefunded.class)
})
public sealed interface OrderEvent {

    /** When it happened. */
    Instant at();

    /** The event's name in the audit trail and on the domain events topic. */
    default String typeName() {
        return getClass().getSimpleName();
    }

    record OrderCreated(String orderId, String userId, List<OrderItem> items, String currency, Instant at)
            implements OrderEvent {}

    record OrderConfirmed(Instant at) implements OrderEvent {}

    record PaymentRequested(BigDecimal amount, String method, Instant at) implements OrderEvent {}

    /** Carries the buyer and currency so that consumers of the domain events need no other lookup. */
    record PaymentSucceeded(String paymentId, BigDecimal amount, String currency, String userId, Instant at) implements OrderEvent {}

    record PaymentFailed(String reason, Instant at) implements OrderEvent {}

    record OrderShipped(String carrier, String trackingNumber, Instant at) implements OrderEvent {}

    record OrderDelivered(Instant at) implements OrderEvent {}

    record OrderCancelled(String reason, Instant at) implements OrderEvent {}

    record OrderRefunded(BigDecimal amount, String reason, Instant at) implements OrderEvent {}
}
