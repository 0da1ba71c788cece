package io.analytics.orders;

/** Marks messages, journal entries and snapshots of orders, serialised as JSON (bound in reference.conf). */
public interface JsonSerializable {}
