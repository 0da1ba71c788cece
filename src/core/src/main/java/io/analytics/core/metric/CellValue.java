package io.analytics.core.metric;

/** An immutable reading of one cell: the unit that read models store and queries combine. */
public record CellValue(CellKey key, long count, double amount, double uniqueUsers) {}
