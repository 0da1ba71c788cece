package io.analytics.core.metric;

/**
 * What one batch of events adds to one cell: events counted, the sum of their {@code amount}, and (for
 * {@link CellKey#ALL_TYPES} cells) the sketch of the users seen, or null.
 */
public record CellDelta(CellKey key, long count, double amount, byte[] users) {}
