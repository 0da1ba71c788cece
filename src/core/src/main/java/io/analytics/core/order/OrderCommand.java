package io.analytics.core.order;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What a client can ask of an order. {@code at} is the time the command is handled. The type name
 * travels with a command, since commands cross nodes on their way to the order's entity.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(OrderCommand.Create.class),
    @JsonSubTypes.Type(OrderCommand.Confirm.class),
    @JsonSubTypes.Type(OrderCommand.Pay.class),
    @JsonSubTypes.Type(OrderCommand.RecordPaymentOutcome.class),
    @JsonSubTypes.Type(OrderCommand.Ship.class),
    @JsonSubTypes.Type(OrderCommand.Deliver.class),
    @JsonSubTypes.Type(OrderCommand.Cancel.class),
    @JsonSubTypes.Type(OrderCommand.Refund.class)
})
public sealed interface OrderCommand {

    Instant at();

    record Create(String orderId, String userId, List<OrderItem> items, String currency, Instant at) implements OrderCommand {}

    record Confirm(Instant at) implements OrderCommand {}

    record Pay(BigDecimal amount, String method, Instant at) implements OrderCommand {}

    /** The payment provider's answer to the pending payment. */
    record RecordPaymentOutcome(boolean succeeded, String paymentId, String failureReason, Instant at) implements OrderCommand {}

    record Ship(String carrier, String trackingNumber, Instant at) implements OrderCommand {}

    record Deliver(Instant at) implements OrderCommand {}

    record Cancel(String reason, Instant at) implements OrderCommand {}

    record Refund(BigDecimal amount, String reason, Instant at) implements OrderCommand {}
}
