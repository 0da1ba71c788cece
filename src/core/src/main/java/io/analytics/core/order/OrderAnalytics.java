package io.analytics.core.order;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analytics.core.event.AnalyticsEvent;
import java.util.Optional;

/**
 * Which order events are also analytics events, and in what shape: a successful payment is a
 * {@code purchase_completed} of the order's buyer, for the amount paid. The event id is derived from
 * the order and the journal position, so publishing it again (a projection replay) is a duplicate.
 */
public final class OrderAnalytics {

    private OrderAnalytics() {}

    public static Optional<ObjectNode> analyticsEvent(String orderId, long sequenceNumber, OrderEvent event) {
        if (!(event instanceof OrderEvent.PaymentSucceeded paid)) {
            return Optional.empty();
        }
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("event_id", "order-" + orderId + "-" + sequenceNumber);
        json.put("event_type", AnalyticsEvent.PURCHASE);
        json.put("timestamp", paid.at().toEpochMilli());
        json.put("user_id", paid.userId());
        json.putObject("properties")
                .put("order_id", orderId)
                .put("amount", paid.amount().doubleValue())
                .put("currency", paid.currency())
                .put("payment_id", paid.paymentId())
                .put("source", "orders");
        return Optional.of(json);
    }
}
