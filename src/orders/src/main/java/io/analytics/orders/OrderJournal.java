package io.analytics.orders;

import io.analytics.core.order.Order;
import io.analytics.core.order.OrderEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import com.typesafe.config.ConfigFactory;

/**
 * Reads an order's journal back: the audit trail, entry by entry, and the order as it was at a version
 * or an instant, rebuilt from the latest snapshot before that point plus the events after it.
 */
public final class OrderJournal {

    /** One journal entry as the audit trail shows it. */
    public record Entry(long sequenceNumber, Instant writtenAt, OrderEvent event, String idempotencyKey) {}

    private final ActorSystem<?> system;
    private final JdbcReadJournal journal;
    private final ActorRef snapshots;
    private final Duration timeout;

    public OrderJournal(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        this.snapshots = Persistence.get(system.classicSystem()).snapshotStoreFor("", ConfigFactory.empty());
        this.timeout = timeout;
    }

    public CompletionStage<List<Entry>> history(String entityId) {
        return entries(entityId, 1, Long.MAX_VALUE).runWith(Sink.seq(), system);
    }

    /** The order after its first {@code version} events. */
    public CompletionStage<Order> atVersion(String entityId, long version) {
        return rebuild(entityId, SnapshotSelectionCriteria.create(version, Long.MAX_VALUE), version,
                order -> true, entry -> true);
    }

    /**
     * The order with every event that happened at or before {@code instant}. Snapshot times have
     * millisecond resolution, so a snapshot is used only if its order was last changed by then.
     */
    public CompletionStage<Order> asOf(String entityId, Instant instant) {
        return rebuild(entityId, SnapshotSelectionCriteria.create(Long.MAX_VALUE, instant.toEpochMilli()), Long.MAX_VALUE,
                order -> !order.updatedAt().isAfter(instant), entry -> !entry.event().at().isAfter(instant));
    }

    private CompletionStage<Order> rebuild(String entityId, SnapshotSelectionCriteria criteria, long toVersion,
            Predicate<Order> usableSnapshot, Predicate<Entry> before) {
        String persistenceId = OrderEntity.persistenceId(entityId).id();
        Order empty = Order.empty(entityId.substring(entityId.indexOf('/') + 1));
        return Patterns.ask(snapshots, new SnapshotProtocol.LoadSnapshot(persistenceId, criteria, toVersion), timeout)
                .thenCompose(answer -> {
                    var selected = ((SnapshotProtocol.LoadSnapshotResult) answer).snapshot();
                    boolean usable = selected.isDefined()
                            && usableSnapshot.test(((OrderEntity.State) selected.get().snapshot()).order());
                    Order start = usable ? ((OrderEntity.State) selected.get().snapshot()).order() : empty;
                    long from = usable ? selected.get().metadata().sequenceNr() + 1 : 1;
                    return entries(entityId, from, toVersion)
                            .takeWhile(before::test)
                            .runFold(start, (order, entry) -> order.apply(entry.event()), system);
                });
    }

    private org.apache.pekko.stream.javadsl.Source<Entry, ?> entries(String entityId, long from, long to) {
        return journal.currentEventsByPersistenceId(OrderEntity.persistenceId(entityId).id(), from, to)
                .map(OrderJournal::entry);
    }

    private static Entry entry(EventEnvelope envelope) {
        OrderEntity.Recorded recorded = (OrderEntity.Recorded) envelope.event();
        return new Entry(envelope.sequenceNr(), Instant.ofEpochMilli(envelope.timestamp()), recorded.event(),
                recorded.idempotencyKey());
    }
}
