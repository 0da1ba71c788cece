package io.analytics.hub;

import java.util.List;

/** What the hub sends one client; each protocol encodes it its own way. */
public sealed interface Outgoing permits LiveUpdate, Outgoing.Batch, Outgoing.Notice, Outgoing.Lagging {

    /**
     * Updates of several series for one client, handed over together; its outbox unpacks them, so
     * protocols only ever encode the updates themselves.
     */
    record Batch(List<LiveUpdate> updates) implements Outgoing {
        public Batch {
            updates = List.copyOf(updates);
        }
    }

    /** A message already encoded by the protocol that made it (an answer to the client's request). */
    record Notice(String frame) implements Outgoing {}

    /**
     * The client read too slowly: {@code superseded} updates were replaced by newer values before it
     * took them ({@code total} over the connection). The updates that follow are snapshots.
     */
    record Lagging(long superseded, long total) implements Outgoing {}
}
