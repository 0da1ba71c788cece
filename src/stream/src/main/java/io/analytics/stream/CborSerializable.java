package io.analytics.stream;

/** Marks messages and journal events serialised with Jackson CBOR (bound in this module's reference.conf). */
public interface CborSerializable {}
