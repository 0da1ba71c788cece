package io.analytics.core.order;

import java.math.BigDecimal;

/** One line of an order: {@code quantity} units of a product at {@code unitPrice} each. */
public record OrderItem(String productId, int quantity, BigDecimal unitPrice) {

    public BigDecimal total() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
