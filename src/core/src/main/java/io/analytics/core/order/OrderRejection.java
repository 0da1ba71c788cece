package io.analytics.core.order;

/** Why a command was refused: a malformed command, or one the order's current state does not allow. */
public record OrderRejection(Reason reason, String message) {

    public enum Reason {
        /** The command itself is malformed (no items, negative price, unknown currency, ...). */
        INVALID,
        /** The order does not exist. */
        NOT_FOUND,
        /** An order with this id exists already. */
        ALREADY_EXISTS,
        /** Valid, but not in the order's current state (shipping an unpaid order, refunding too much, ...). */
        NOT_ALLOWED
    }

    static OrderRejection invalid(String message) {
        return new OrderRejection(Reason.INVALID, message);
    }

    static OrderRejection notAllowed(String message) {
        return new OrderRejection(Reason.NOT_ALLOWED, message);
    }
}
