package io.analytics.projections;

import io.analytics.stream.metrics.MetricPartition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Moves closed windows from the metric entities' journal into {@link MetricCellStore}, then tells the
 * entity, which may then release them from memory. At-least-once: the writes are upserts of final
 * values, so a window stored twice is stored once; the entity is told only after the write committed.
 */
public final class ClosedWindowsProjection {

    private ClosedWindowsProjection() {}

    public static void init(ActorSystem<?> system, DataSource dataSource, MetricCellStore store, ClusterSharding sharding) {
        SourceProvider<Offset, EventEnvelope<MetricPartition.Event>> source = EventSourcedProvider.eventsByTag(
                system, JdbcReadJournal.Identifier(), MetricPartition.CLOSED_WINDOWS_TAG);
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        var projection = JdbcProjection.atLeastOnceAsync(
                ProjectionId.of("metric-windows", MetricPartition.CLOSED_WINDOWS_TAG),
                source,
                () -> new PlainJdbcSession(dataSource),
                () -> new StoreClosedWindows(store, sharding, blocking),
                system);
        ShardedDaemonProcess.get(system).init(
                ProjectionBehavior.Command.class,
                "closed-windows-projection",
                1,
                i -> ProjectionBehavior.create(projection),
                org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings.create(system),
                Optional.of(ProjectionBehavior.stopMessage()));
    }

    private static final class StoreClosedWindows extends Handler<EventEnvelope<MetricPartition.Event>> {
        private final MetricCellStore store;
        private final ClusterSharding sharding;
        private final Executor blocking;

        StoreClosedWindows(MetricCellStore store, ClusterSharding sharding, Executor blocking) {
            this.store = store;
            this.sharding = sharding;
            this.blocking = blocking;
        }

        @Override
        public CompletionStage<Done> process(EventEnvelope<MetricPartition.Event> envelope) {
            if (!(envelope.event() instanceof MetricPartition.WindowsClosed closed)) {
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            return CompletableFuture.supplyAsync(() -> {
                try {
                    store.store(closed.partition(), closed.cells());
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("cannot store closed windows: " + e.getMessage(), e);
                }
                sharding.entityRefFor(MetricPartition.TYPE_KEY, Integer.toString(closed.partition()))
                        .tell(new MetricPartition.ReadModelStored(closed.watermark()));
                return Done.getInstance();
            }, blocking);
        }
    }
}
