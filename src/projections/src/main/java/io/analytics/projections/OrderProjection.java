package io.analytics.projections;

import io.analytics.orders.OrderEntity;
import java.time.Clock;
import java.util.List;
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
 * once: events are handled in groups (up to 500, or what arrived within 100 ms), and a group's
 * read-model changes and the projection's offset commit in one transaction, so a crash between the
 * journal write and the projection never applies an event twice or loses one.
 */
public final class OrderProjection {

    public static final String NAME = "orders";
    public static final ProjectionId ID = ProjectionId.of(NAME, OrderEntity.TAG);
    private static final int GROUP_SIZE = 500;
    private static final java.time.Duration GROUP_DELAY = java.time.Duration.ofMillis(100);

    private OrderProjection() {}

    /** Runs the projection (one instance in the cluster) and returns its lag gauge. */
    public static ProjectionLag init(ActorSystem<?> system, DataSource dataSource, OrderReadModels models) {
        ProjectionLag lag = new ProjectionLag(NAME, Clock.systemUTC());
        SourceProvider<Offset, EventEnvelope<OrderEntity.Recorded>> source =
                EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), OrderEntity.TAG);
        var projection = JdbcProjection.groupedWithin(
                        ID,
                        source,
                        () -> new PlainJdbcSession(dataSource),
                        () -> new Handler(models, lag),
                        system)
                .withGroup(GROUP_SIZE, GROUP_DELAY);
        ShardedDaemonProcess.get(system).init(
                ProjectionBehavior.Command.class, "orders-projection", 1,
                i -> ProjectionBehavior.create(projection),
                ShardedDaemonProcessSettings.create(system),
                Optional.of(ProjectionBehavior.stopMessage()));
        return lag;
    }

    private static final class Handler extends JdbcHandler<List<EventEnvelope<OrderEntity.Recorded>>, PlainJdbcSession> {
        private final OrderReadModels models;
        private final ProjectionLag lag;

        Handler(OrderReadModels models, ProjectionLag lag) {
            this.models = models;
            this.lag = lag;
        }

        @Override
        public void process(PlainJdbcSession session, List<EventEnvelope<OrderEntity.Recorded>> envelopes) throws Exception {
            session.withConnection(connection -> {
                OrderReadModels.Bulk group = models.bulk();
                group.load(connection, envelopes.stream().map(Handler::entityId).distinct().toList());
                for (EventEnvelope<OrderEntity.Recorded> envelope : envelopes) {
                    group.apply(entityId(envelope), envelope.sequenceNr(), envelope.event().event());
                }
                group.write(connection, false);
                return null;
            });
            lag.handled(envelopes.get(envelopes.size() - 1).timestamp(), envelopes.size());
        }

        private static String entityId(EventEnvelope<OrderEntity.Recorded> envelope) {
            return envelope.persistenceId().substring(envelope.persistenceId().indexOf('|') + 1);
        }
    }
}
