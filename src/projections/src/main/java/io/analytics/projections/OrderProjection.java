package io.analytics.projections;

import io.analytics.orders.OrderEntity;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps the order read models ({@link OrderReadModels}) up to date from the orders journal, exactly
 * once: each event's read-model changes and the projection's offset commit in one transaction, so a
 * crash between the journal write and the projection never applies an event twice or loses one.
 */
public final class OrderProjection {

    public static final String NAME = "orders";
    public static final ProjectionId ID = ProjectionId.of(NAME, OrderEntity.TAG);

    private OrderProjection() {}

    /** Runs the projection (one instance in the cluster) and returns its lag gauge. */
    public static ProjectionLag init(ActorSystem<?> system, DataSource dataSource, OrderReadModels models) {
        ProjectionLag lag = new ProjectionLag(NAME, Clock.systemUTC());
        SourceProvider<Offset, EventEnvelope<OrderEntity.Recorded>> source =
                EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), OrderEntity.TAG);
        var projection = JdbcProjection.exactlyOnce(
                ID,
                source,
                () -> new PlainJdbcSession(dataSource),
                () -> new Handler(models, lag),
                system);
        ShardedDaemonProcess.get(system).init(
                ProjectionBehavior.Command.class, "orders-projection", 1,
                i -> ProjectionBehavior.create(projection),
                ShardedDaemonProcessSettings.create(system),
                Optional.of(ProjectionBehavior.stopMessage()));
        return lag;
    }

    private static final class Handler extends JdbcHandler<EventEnvelope<OrderEntity.Recorded>, PlainJdbcSession> {
        private final OrderReadModels models;
        private final ProjectionLag lag;

        Handler(OrderReadModels models, ProjectionLag lag) {
            this.models = models;
            this.lag = lag;
        }

        @Override
        public void process(PlainJdbcSession session, EventEnvelope<OrderEntity.Recorded> envelope) throws Exception {
            String entityId = envelope.persistenceId().substring(envelope.persistenceId().indexOf('|') + 1);
            session.withConnection(connection -> {
                models.apply(connection, entityId, envelope.sequenceNr(), envelope.event().event());
                return null;
            });
            lag.handled(envelope.timestamp());
        }
    }
}
