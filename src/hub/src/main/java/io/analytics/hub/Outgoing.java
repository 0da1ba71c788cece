package io.analytics.hub;

/** What the hub sends one client; each protocol encodes it its own way. */
public sealed interface Outgoing permits LiveUpdate, Outgoing.Notice, Outgoing.Lagging {

    /** A message already encoded by the protocol that made it (an answer to the client's request). */
    record Notice(String frame) implements Outgoing {}

    /**
     * The client read too slowly: {@code superseded} updates were replaced by newer values before it
     * took them ({@code total} over the connection). The updates that follow are snapshots.
     */
    record Lagging(long superseded, long total) implements Outgoing {}
}
