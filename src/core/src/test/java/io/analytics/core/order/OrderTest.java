package io.analytics.core.order;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderTest {

    private static final Instant T0 = Instant.parse("2026-02-16T10:00:00Z");
    private final List<OrderEvent> journal = new ArrayList<>();
    private Order order = Order.empty("o1");

    private Order.Decision run(OrderCommand command) {
        Order.Decision decision = order.decide(command);
        if (decision instanceof Order.Accepted accepted) {
            for (OrderEvent event : accepted.events()) {
                journal.add(event);
                order = order.apply(event);
            }
        }
        return decision;
    }

    private OrderRejection rejected(OrderCommand command) {
        Order.Decision decision = run(command);
        assertThat(decision).isInstanceOf(Order.Rejected.class);
        return ((Order.Rejected) decision).rejection();
    }

    private void create() {
        assertThat(run(new OrderCommand.Create("o1", "u1", List.of(
                new OrderItem("p1", 2, new BigDecimal("19.99")), new OrderItem("p2", 1, new BigDecimal("5.00"))), "EUR", T0)))
                .isInstanceOf(Order.Accepted.class);
    }

    @Test
    void aFullLifeComputesTotalsAndVersions() {
        create();
        assertThat(order.total()).isEqualByComparingTo("44.98");
        run(new OrderCommand.Confirm(T0.plusSeconds(1)));
        run(new OrderCommand.Pay(new BigDecimal("44.98"), "card", T0.plusSeconds(2)));
        assertThat(order.status()).isEqualTo(OrderStatus.PAYMENT_PENDING);
        run(new OrderCommand.RecordPaymentOutcome(true, "pay_1", null, T0.plusSeconds(3)));
        run(new OrderCommand.Ship("dhl", "123", T0.plusSeconds(4)));
        run(new OrderCommand.Deliver(T0.plusSeconds(5)));
        run(new OrderCommand.Refund(new BigDecimal("4.98"), "damaged", T0.plusSeconds(6)));
        assertThat(order.status()).isEqualTo(OrderStatus.DELIVERED);
        run(new OrderCommand.Refund(new BigDecimal("40.00"), "returned", T0.plusSeconds(7)));
        assertThat(order.status()).isEqualTo(OrderStatus.REFUNDED);
        assertThat(order.paid()).isEqualByComparingTo("44.98");
        assertThat(order.refunded()).isEqualByComparingTo("44.98");
        assertThat(order.version()).isEqualTo(8).isEqualTo(journal.size());
        assertThat(order.updatedAt()).isEqualTo(T0.plusSeconds(7));
        assertThat(Order.replay("o1", journal)).isEqualTo(order);
    }

    @Test
    void anOrderWithoutItemsIsRejectedWithTheField() {
        OrderRejection rejection = rejected(new OrderCommand.Create("o1", "u1", List.of(), "USD", T0));
        assertThat(rejection.reason()).isEqualTo(OrderRejection.Reason.INVALID);
        assertThat(rejection.message()).startsWith("items:");
    }

    @Test
    void itemRulesNameTheOffendingItem() {
        assertThat(rejected(new OrderCommand.Create("o1", "u1", List.of(new OrderItem("p", 0, BigDecimal.ONE)), "USD", T0)).message())
                .startsWith("items[0].quantity:");
        assertThat(rejected(new OrderCommand.Create("o1", "u1",
                List.of(new OrderItem("p", 1, BigDecimal.ONE), new OrderItem("q", 1, new BigDecimal("-1"))), "USD", T0)).message())
                .startsWith("items[1].price:");
        assertThat(rejected(new OrderCommand.Create("o1", "u1", List.of(new OrderItem("p", 1, BigDecimal.ZERO)), "XYZ1", T0)).message())
                .startsWith("currency:");
        assertThat(order.exists()).isFalse();
    }

    @Test
    void anUnpaidOrderCannotBeShipped() {
        create();
        run(new OrderCommand.Confirm(T0));
        OrderRejection rejection = rejected(new OrderCommand.Ship("dhl", "1", T0));
        assertThat(rejection.reason()).isEqualTo(OrderRejection.Reason.NOT_ALLOWED);
        assertThat(rejection.message()).contains("paid").contains("CONFIRMED");
    }

    @Test
    void noRefundBeyondWhatWasPaid() {
        create();
        run(new OrderCommand.Confirm(T0));
        run(new OrderCommand.Pay(new BigDecimal("44.98"), "card", T0));
        run(new OrderCommand.RecordPaymentOutcome(true, "p", null, T0));
        run(new OrderCommand.Refund(new BigDecimal("40"), null, T0));
        OrderRejection rejection = rejected(new OrderCommand.Refund(new BigDecimal("5"), null, T0));
        assertThat(rejection.reason()).isEqualTo(OrderRejection.Reason.NOT_ALLOWED);
        assertThat(rejection.message()).contains("4.98");
    }

    @Test
    void aFailedPaymentCanBeRetriedAndAPaidOrderIsNotCancelled() {
        create();
        run(new OrderCommand.Confirm(T0));
        run(new OrderCommand.Pay(new BigDecimal("44.98"), "card", T0));
        run(new OrderCommand.RecordPaymentOutcome(false, null, "declined", T0));
        assertThat(order.status()).isEqualTo(OrderStatus.CONFIRMED);
        assertThat(rejected(new OrderCommand.Pay(new BigDecimal("10"), "card", T0)).message()).startsWith("amount:");
        run(new OrderCommand.Pay(new BigDecimal("44.98"), "card", T0));
        run(new OrderCommand.RecordPaymentOutcome(true, "p2", null, T0));
        assertThat(rejected(new OrderCommand.Cancel("changed my mind", T0)).message()).contains("refunded, not cancelled");
    }

    @Test
    void commandsOnAMissingOrderAndDoubleCreation() {
        assertThat(rejected(new OrderCommand.Confirm(T0)).reason()).isEqualTo(OrderRejection.Reason.NOT_FOUND);
        create();
        assertThat(rejected(new OrderCommand.Create("o1", "u1", List.of(new OrderItem("p", 1, BigDecimal.ONE)), "USD", T0)).reason())
                .isEqualTo(OrderRejection.Reason.ALREADY_EXISTS);
    }
}
