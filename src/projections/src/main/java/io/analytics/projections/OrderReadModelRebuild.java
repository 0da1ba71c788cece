package io.analytics.projections;

import io.analytics.orders.OrderEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;

/**
 * Rebuilds the order read models from the journal while the system keeps running: the tables are
 * built aside ({@code *_rebuild}) in memory from every journaled order event and written at once; then
 * the live projection is paused, the aside tables take every event journaled since, the two sets of
 * tables are swapped in one transaction, and the projection resumes where it was (events the rebuilt
 * tables already hold are recognised by version and skipped). Queries see the old tables until the
 * swap and the rebuilt ones after it, never a half-built table.
 */
public final class OrderReadModelRebuild {

    private static final String SUFFIX = "_rebuild";
    private static final int BATCH = 500;

    /** Where a rebuild is. {@code total} is the number of journaled order events when it started. */
    public record Progress(String state, long total, long applied, long startedAt, long finishedAt, String error) {
        static Progress idle() {
            return new Progress("idle", 0, 0, 0, 0, null);
        }

        public boolean running() {
            return state.equals("building") || state.equals("writing") || state.equals("catching-up") || state.equals("swapping");
        }
    }

    private final ActorSystem<?> system;
    private final DataSource dataSource;
    private final ProjectionId live;
    private final JdbcReadJournal journal;
    private final Executor blocking;
    private final AtomicReference<Progress> progress = new AtomicReference<>(Progress.idle());

    public OrderReadModelRebuild(ActorSystem<?> system, DataSource dataSource, ProjectionId live) {
        this.system = system;
        this.dataSource = dataSource;
        this.live = live;
        this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    }

    public Progress progress() {
        return progress.get();
    }

    /** Starts a rebuild unless one is running; returns the progress either way. */
    public synchronized Progress start() {
        if (progress.get().running()) {
            return progress.get();
        }
        long started = System.currentTimeMillis();
        progress.set(new Progress("building", 0, 0, started, 0, null));
        CompletableFuture.supplyAsync(this::prepareAside, blocking)
                .thenCompose(total -> {
                    progress.set(new Progress("building", total, 0, started, 0, null));
                    return buildAside();
                })
                .thenCompose(built -> ProjectionManagement.get(system).pause(live).thenCompose(paused -> catchUp(built)))
                .thenApply(done -> {
                    update("swapping");
                    swap();
                    return done;
                })
                .whenComplete((done, failure) -> ProjectionManagement.get(system).resume(live).whenComplete((r, e) -> {
                    Progress p = progress.get();
                    progress.set(failure == null
                            ? new Progress("done", p.total(), p.applied(), started, System.currentTimeMillis(), null)
                            : new Progress("failed", p.total(), p.applied(), started, System.currentTimeMillis(), rootMessage(failure)));
                }));
        return progress.get();
    }

    /**
     * Folds every journaled order event into memory, then writes the aside tables in one transaction;
     * returns the offset of the last event folded.
     */
    private CompletionStage<Offset> buildAside() {
        OrderReadModels.Bulk bulk = new OrderReadModels(SUFFIX).bulk();
        AtomicReference<Offset> last = new AtomicReference<>(NoOffset.getInstance());
        return journal.currentEventsByTag(OrderEntity.TAG, NoOffset.getInstance())
                .grouped(BATCH)
                .runForeach(batch -> {
                    for (EventEnvelope envelope : batch) {
                        bulk.apply(entityId(envelope), envelope.sequenceNr(), ((OrderEntity.Recorded) envelope.event()).event());
                    }
                    last.set(batch.get(batch.size() - 1).offset());
                    advance(batch.size());
                }, system)
                .thenApplyAsync(done -> {
                    update("writing");
                    try (Connection connection = dataSource.getConnection()) {
                        connection.setAutoCommit(false);
                        bulk.write(connection, true);
                        connection.commit();
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot write the rebuilt read models: " + e.getMessage(), e);
                    }
                    return last.get();
                }, blocking);
    }

    private void advance(int events) {
        Progress p = progress.get();
        progress.set(new Progress(p.state(), Math.max(p.total(), p.applied() + events), p.applied() + events, p.startedAt(), 0, null));
    }

    /**
     * With the live projection paused, applies to the aside tables every event journaled since the
     * build. Where that overlaps what the live projection will apply after the swap, the version check
     * of {@link OrderReadModels#apply} makes the second application a no-op.
     */
    private CompletionStage<Offset> catchUp(Offset built) {
        update("catching-up");
        return applyAside(built);
    }

    /** Applies the order events journaled after {@code from} to the aside tables; returns the last offset applied. */
    private CompletionStage<Offset> applyAside(Offset from) {
        OrderReadModels aside = new OrderReadModels(SUFFIX);
        AtomicReference<Offset> last = new AtomicReference<>(from);
        return journal.currentEventsByTag(OrderEntity.TAG, from)
                .grouped(BATCH)
                .mapAsync(1, batch -> CompletableFuture.supplyAsync(() -> {
                    applyBatch(aside, batch);
                    last.set(batch.get(batch.size() - 1).offset());
                    return batch.size();
                }, blocking))
                .runForeach(this::advance, system)
                .thenApply(done -> last.get());
    }

    private void applyBatch(OrderReadModels aside, List<EventEnvelope> batch) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            OrderReadModels.Bulk group = aside.bulk();
            group.load(connection, batch.stream().map(OrderReadModelRebuild::entityId).distinct().toList());
            for (EventEnvelope envelope : batch) {
                group.apply(entityId(envelope), envelope.sequenceNr(), ((OrderEntity.Recorded) envelope.event()).event());
            }
            group.write(connection, false);
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the rebuilt read models: " + e.getMessage(), e);
        }
    }

    /** Drops what an earlier rebuild may have left, creates the aside tables, and counts the events to apply. */
    private long prepareAside() {
        OrderReadModels aside = new OrderReadModels(SUFFIX);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String table : OrderReadModels.TABLES) {
                statement.execute("DROP TABLE IF EXISTS " + aside.table(table));
            }
            for (String sql : aside.createStatements()) {
                statement.execute(sql);
            }
            try (PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM \"event_tag\" WHERE \"tag\" = ?")) {
                count.setString(1, OrderEntity.TAG);
                try (ResultSet rows = count.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the rebuild tables: " + e.getMessage(), e);
        }
    }

    /** Replaces every live table by its rebuilt twin in one transaction. */
    private void swap() {
        OrderReadModels liveModels = new OrderReadModels("");
        OrderReadModels aside = new OrderReadModels(SUFFIX);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            for (String table : OrderReadModels.TABLES) {
                statement.execute("DROP TABLE " + liveModels.table(table));
                statement.execute("ALTER TABLE " + aside.table(table) + " RENAME TO " + liveModels.table(table));
            }
            statement.execute("ALTER INDEX " + aside.table("order_view") + "_of_user RENAME TO " + liveModels.table("order_view") + "_of_user");
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot swap in the rebuilt read models: " + e.getMessage(), e);
        }
    }

    private static String entityId(EventEnvelope envelope) {
        return envelope.persistenceId().substring(envelope.persistenceId().indexOf('|') + 1);
    }

    private void update(String state) {
        Progress p = progress.get();
        progress.set(new Progress(state, p.total(), p.applied(), p.startedAt(), 0, null));
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
