package io.analytics.core.order;

import io.analytics.core.order.OrderCommand.Cancel;
import io.analytics.core.order.OrderCommand.Confirm;
import io.analytics.core.order.OrderCommand.Create;
import io.analytics.core.order.OrderCommand.Deliver;
import io.analytics.core.order.OrderCommand.Pay;
import io.analytics.core.order.OrderCommand.RecordPaymentOutcome;
import io.analytics.core.order.OrderCommand.Refund;
import io.analytics.core.order.OrderCommand.Ship;
import io.analytics.core.order.OrderEvent.OrderCancelled;
import io.analytics.core.order.OrderEvent.OrderConfirmed;
import io.analytics.core.order.OrderEvent.OrderCreated;
import io.analytics.core.order.OrderEvent.OrderDelivered;
import io.analytics.core.order.OrderEvent.OrderRefunded;
import io.analytics.core.order.OrderEvent.OrderShipped;
import io.analytics.core.order.OrderEvent.PaymentFailed;
import io.analytics.core.order.OrderEvent.PaymentRequested;
import io.analytics.core.order.OrderEvent.PaymentSucceeded;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * The state of one order: the fold of its events ({@link #apply}). {@link #decide} is the only place
 * the business rules live: which commands the current state allows and which events they produce.
 * {@code version} counts the events applied, so it is the order's optimistic-concurrency version.
 */
public record Order(
        String orderId,
        String userId,
        List<OrderItem> items,
        String currency,
        BigDecimal total,
        OrderStatus status,
        BigDecimal paid,
        BigDecimal refunded,
        BigDecimal pendingPayment,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    /** The order before its first event: it does not exist yet. */
    public static Order empty(String orderId) {
        return new Order(orderId, null, List.of(), null, BigDecimal.ZERO, null, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, 0, null, null);
    }

    public boolean exists() {
        return status != null;
    }

    /** What a command leads to: the events to record, or why it is refused. */
    public sealed interface Decision {}

    public record Accepted(List<OrderEvent> events) implements Decision {}

    public record Rejected(OrderRejection rejection) implements Decision {}

    public Decision decide(OrderCommand command) {
        if (command instanceof Create create) {
            return exists() ? reject(new OrderRejection(OrderRejection.Reason.ALREADY_EXISTS, "order " + orderId + " exists already"))
                    : create(create);
        }
        if (!exists()) {
            return reject(new OrderRejection(OrderRejection.Reason.NOT_FOUND, "order " + orderId + " does not exist"));
        }
        if (command instanceof Confirm c) {
            return status == OrderStatus.CREATED ? accept(new OrderConfirmed(c.at())) : notAllowed("only a created order can be confirmed");
        }
        if (command instanceof Pay p) {
            return pay(p);
        }
        if (command instanceof RecordPaymentOutcome o) {
            return outcome(o);
        }
        if (command instanceof Ship s) {
            return status == OrderStatus.PAID
                    ? accept(new OrderShipped(s.carrier(), s.trackingNumber(), s.at()))
                    : notAllowed("only a paid order can be shipped");
        }
        if (command instanceof Deliver d) {
            return status == OrderStatus.SHIPPED ? accept(new OrderDelivered(d.at())) : notAllowed("only a shipped order can be delivered");
        }
        if (command instanceof Cancel c) {
            return cancel(c);
        }
        return refund((Refund) command);
    }

    private Decision create(Create create) {
        if (create.userId() == null || create.userId().isBlank()) {
            return reject(OrderRejection.invalid("user_id: is required"));
        }
        if (create.items() == null || create.items().isEmpty()) {
            return reject(OrderRejection.invalid("items: an order needs at least one item"));
        }
        for (int i = 0; i < create.items().size(); i++) {
            OrderItem item = create.items().get(i);
            if (item.productId() == null || item.productId().isBlank()) {
                return reject(OrderRejection.invalid("items[" + i + "].product_id: is required"));
            }
            if (item.quantity() <= 0) {
                return reject(OrderRejection.invalid("items[" + i + "].quantity: must be greater than 0"));
            }
            if (item.unitPrice() == null || item.unitPrice().signum() < 0) {
                return reject(OrderRejection.invalid("items[" + i + "].price: must be 0 or more"));
            }
        }
        if (!isCurrency(create.currency())) {
            return reject(OrderRejection.invalid("currency: must be an ISO 4217 code such as USD"));
        }
        return accept(new OrderCreated(orderId, create.userId(), List.copyOf(create.items()), create.currency(), create.at()));
    }

    private Decision pay(Pay pay) {
        if (status != OrderStatus.CONFIRMED) {
            return notAllowed("only a confirmed order can be paid");
        }
        if (pay.amount() == null || pay.amount().compareTo(total) != 0) {
            return reject(OrderRejection.invalid("amount: must equal the order total " + total.toPlainString() + " " + currency));
        }
        return accept(new PaymentRequested(pay.amount(), pay.method(), pay.at()));
    }

    private Decision outcome(RecordPaymentOutcome outcome) {
        if (status != OrderStatus.PAYMENT_PENDING) {
            return notAllowed("there is no pending payment");
        }
        return outcome.succeeded()
                ? accept(new PaymentSucceeded(outcome.paymentId(), pendingPayment, currency, userId, outcome.at()))
                : accept(new PaymentFailed(outcome.failureReason(), outcome.at()));
    }

    private Decision cancel(Cancel cancel) {
        return switch (status) {
            case CREATED, CONFIRMED -> accept(new OrderCancelled(cancel.reason(), cancel.at()));
            case PAYMENT_PENDING -> notAllowed("a payment is pending; cancel once it has failed, or refund once it has succeeded");
            case PAID, SHIPPED, DELIVERED -> notAllowed("a paid order is refunded, not cancelled");
            case CANCELLED, REFUNDED -> notAllowed("the order is closed");
        };
    }

    private Decision refund(Refund refund) {
        if (status != OrderStatus.PAID && status != OrderStatus.SHIPPED && status != OrderStatus.DELIVERED) {
            return notAllowed("only a paid order can be refunded");
        }
        if (refund.amount() == null || refund.amount().signum() <= 0) {
            return reject(OrderRejection.invalid("amount: must be greater than 0"));
        }
        BigDecimal refundable = paid.subtract(refunded);
        if (refund.amount().compareTo(refundable) > 0) {
            return notAllowed("cannot refund " + refund.amount().toPlainString() + ": only "
                    + refundable.toPlainString() + " " + currency + " is left to refund");
        }
        return accept(new OrderRefunded(refund.amount(), refund.reason(), refund.at()));
    }

    /** The state after {@code event}. Events are facts: applying one never fails. */
    public Order apply(OrderEvent event) {
        return applied(event).stamped(version + 1, event.at());
    }

    private Order applied(OrderEvent event) {
        if (event instanceof OrderCreated e) {
            return new Order(orderId, e.userId(), e.items(), e.currency(), totalOf(e.items()),
                    OrderStatus.CREATED, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, version, e.at(), e.at());
        }
        if (event instanceof PaymentRequested e) {
            return new Order(orderId, userId, items, currency, total, OrderStatus.PAYMENT_PENDING,
                    paid, refunded, e.amount(), version, createdAt, updatedAt);
        }
        if (event instanceof PaymentSucceeded e) {
            return new Order(orderId, userId, items, currency, total, OrderStatus.PAID,
                    paid.add(e.amount()), refunded, BigDecimal.ZERO, version, createdAt, updatedAt);
        }
        if (event instanceof PaymentFailed) {
            return new Order(orderId, userId, items, currency, total, OrderStatus.CONFIRMED,
                    paid, refunded, BigDecimal.ZERO, version, createdAt, updatedAt);
        }
        if (event instanceof OrderRefunded e) {
            BigDecimal nowRefunded = refunded.add(e.amount());
            OrderStatus after = nowRefunded.compareTo(paid) >= 0 ? OrderStatus.REFUNDED : status;
            return new Order(orderId, userId, items, currency, total, after, paid, nowRefunded, pendingPayment,
                    version, createdAt, updatedAt);
        }
        if (event instanceof OrderConfirmed) {
            return withStatus(OrderStatus.CONFIRMED);
        }
        if (event instanceof OrderShipped) {
            return withStatus(OrderStatus.SHIPPED);
        }
        if (event instanceof OrderDelivered) {
            return withStatus(OrderStatus.DELIVERED);
        }
        return withStatus(OrderStatus.CANCELLED);
    }

    /** Folds a journal from the empty order. */
    public static Order replay(String orderId, List<OrderEvent> events) {
        Order order = empty(orderId);
        for (OrderEvent event : events) {
            order = order.apply(event);
        }
        return order;
    }

    private Order withStatus(OrderStatus next) {
        return new Order(orderId, userId, items, currency, total, next, paid, refunded, pendingPayment, version, createdAt, updatedAt);
    }

    private Order stamped(long nextVersion, Instant at) {
        return new Order(orderId, userId, items, currency, total, status, paid, refunded, pendingPayment, nextVersion, createdAt, at);
    }

    private Decision notAllowed(String why) {
        return reject(OrderRejection.notAllowed(why + " (order " + orderId + " is " + status + ")"));
    }

    private static Decision accept(OrderEvent event) {
        return new Accepted(List.of(event));
    }

    private static Decision reject(OrderRejection rejection) {
        return new Rejected(rejection);
    }

    private static BigDecimal totalOf(List<OrderItem> items) {
        return items.stream().map(OrderItem::total).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static boolean isCurrency(String code) {
        if (code == null || code.length() != 3) {
            return false;
        }
        try {
            return Currency.getInstance(code).getCurrencyCode().equals(code);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
