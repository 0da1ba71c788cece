package io.analytics.core.order;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Over random command sequences: the fold of the journal equals the live state, the version counts the
 * events, a rejection changes nothing, and money never goes wrong (nothing refunded that was not paid,
 * nothing paid but the total).
 */
class OrderPropertiesTest {

    private static final Instant T0 = Instant.parse("2026-02-16T10:00:00Z");

    /** One step of a scenario: the command to send, which may depend on the order as it is then. */
    interface Step extends Function<Order, OrderCommand> {}

    @Property(tries = 300)
    void theJournalFoldsToTheStateAndMoneyStaysConsistent(@ForAll("scenarios") List<Step> steps) {
        Order live = Order.empty("o");
        List<OrderEvent> journal = new ArrayList<>();
        for (Step step : steps) {
            OrderCommand command = step.apply(live);
            Order.Decision decision = live.decide(command);
            if (decision instanceof Order.Accepted accepted) {
                for (OrderEvent event : accepted.events()) {
                    journal.add(event);
                    live = live.apply(event);
                }
            } else {
                assertThat(live.decide(command)).as("a rejection is repeatable").isEqualTo(decision);
            }
            assertThat(live.refunded().compareTo(live.paid())).isLessThanOrEqualTo(0);
            assertThat(live.paid().signum() == 0 || live.paid().compareTo(live.total()) == 0).isTrue();
            assertThat(live.version()).isEqualTo(journal.size());
        }
        assertThat(Order.replay("o", journal)).isEqualTo(live);
        for (int n = 0; n <= journal.size(); n++) {
            assertThat(Order.replay("o", journal.subList(0, n)).version()).isEqualTo(n);
        }
    }

    @Provide
    Arbitrary<List<Step>> scenarios() {
        Arbitrary<BigDecimal> money = Arbitraries.integers().between(0, 5000).map(c -> BigDecimal.valueOf(c, 2));
        Arbitrary<Step> create = Combinators.combine(
                        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(-1, 3), money)
                .as((items, quantity, price) -> order -> {
                    List<OrderItem> lines = new ArrayList<>();
                    for (int i = 0; i < items; i++) {
                        lines.add(new OrderItem("p" + i, quantity, price));
                    }
                    return new OrderCommand.Create("o", "u", lines, "USD", T0);
                });
        Arbitrary<Step> payAnything = money.map(amount -> order -> new OrderCommand.Pay(amount, "card", T0));
        Arbitrary<Step> payTotal = Arbitraries.just(order -> new OrderCommand.Pay(order.total(), "card", T0));
        Arbitrary<Step> outcome = Arbitraries.of(true, false)
                .map(ok -> order -> new OrderCommand.RecordPaymentOutcome(ok, "pay", "declined", T0));
        Arbitrary<Step> refundAnything = money.map(amount -> order -> new OrderCommand.Refund(amount, null, T0));
        Arbitrary<Step> refundHalf = Arbitraries.just(order ->
                new OrderCommand.Refund(order.paid().divide(BigDecimal.valueOf(2), 2, RoundingMode.DOWN), null, T0));
        Arbitrary<Step> other = Arbitraries.<Step>of(
                order -> new OrderCommand.Confirm(T0), order -> new OrderCommand.Ship("c", "t", T0),
                order -> new OrderCommand.Deliver(T0), order -> new OrderCommand.Cancel("r", T0));
        return Arbitraries.frequencyOf(
                        Tuple.of(2, create), Tuple.of(1, payAnything), Tuple.of(3, payTotal), Tuple.of(3, outcome),
                        Tuple.of(1, refundAnything), Tuple.of(2, refundHalf), Tuple.of(5, other))
                .list().ofMinSize(1).ofMaxSize(25);
    }
}
