package io.analytics.hub;

/** One connected client as the series registry sees it. */
interface LiveClient {

    String id();

    /**
     * Hands the client a message without ever blocking. False when its buffer was full and the
     * message was dropped; the registry then owes it a snapshot.
     */
    boolean offer(Outgoing message);
}
