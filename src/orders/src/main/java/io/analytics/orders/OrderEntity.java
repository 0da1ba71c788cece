package io.analytics.orders;

import io.analytics.core.order.Order;
import io.analytics.core.order.OrderCommand;
import io.analytics.core.order.OrderEvent;
import io.analytics.core.order.OrderRejection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One order, as a sharded event-sourced entity; its id is {@code <project>/<order id>}. Each journal
 * entry is one {@link OrderEvent}, so an entry's sequence number is the order's version after it.
 * Snapshots are taken every N events and old ones pruned; events are never deleted, since the journal
 * is the order's audit trail.
 */
public final class OrderEntity extends EventSourcedBehavior<OrderEntity.Command, OrderEntity.Recorded, OrderEntity.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Order");
    /** The tag projections of orders read. */
    public static final String TAG = "orders";
    /** How many recent idempotency keys an order remembers; a client retries within a few requests. */
    static final int REMEMBERED_KEYS = 32;

    public sealed interface Command extends JsonSerializable {}

    /**
     * Runs {@code command} if the order is at {@code expectedVersion} (null: any version). A command with
     * an {@code idempotencyKey} the order has already seen is not run again; the reply is the outcome of
     * the first run.
     */
    public record Execute(OrderCommand command, Long expectedVersion, String idempotencyKey, ActorRef<Reply> replyTo)
            implements Command {}

    public record Get(ActorRef<Order> replyTo) implements Command {}

    public sealed interface Reply extends JsonSerializable {}

    /** The command ran (or had run, when {@code replayed}); the order after it. */
    public record Done(Order order, boolean replayed) implements Reply {}

    public record Rejected(OrderRejection rejection) implements Reply {}

    public record VersionConflict(long expected, long actual) implements Reply {}

    /** One journal entry: the event, and the idempotency key of the request that caused it, if any. */
    public record Recorded(OrderEvent event, String idempotencyKey) implements JsonSerializable {}

    /** The order, and the versions produced by the most recent idempotency keys. */
    public record State(Order order, Map<String, Long> versionByKey) implements JsonSerializable {

        State apply(Recorded recorded) {
            Order next = order.apply(recorded.event());
            if (recorded.idempotencyKey() == null) {
                return new State(next, versionByKey);
            }
            LinkedHashMap<String, Long> keys = new LinkedHashMap<>(versionByKey);
            keys.put(recorded.idempotencyKey(), next.version());
            while (keys.size() > REMEMBERED_KEYS) {
                keys.remove(keys.keySet().iterator().next());
            }
            return new State(next, Map.copyOf(keys));
        }
    }

    private final String entityId;
    private final int snapshotEvery;

    private OrderEntity(String entityId, int snapshotEvery) {
        super(persistenceId(entityId));
        this.entityId = entityId;
        this.snapshotEvery = snapshotEvery;
    }

    public static Behavior<Command> create(String entityId, int snapshotEvery) {
        return new OrderEntity(entityId, snapshotEvery);
    }

    public static String entityId(String projectId, String orderId) {
        return projectId + "/" + orderId;
    }

    public static PersistenceId persistenceId(String entityId) {
        return PersistenceId.of(TYPE_KEY.name(), entityId);
    }

    @Override
    public State emptyState() {
        return new State(Order.empty(entityId.substring(entityId.indexOf('/') + 1)), Map.of());
    }

    @Override
    public CommandHandler<Command, Recorded, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Execute.class, this::execute)
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state.order()))
                .build();
    }

    private Effect<Recorded, State> execute(State state, Execute execute) {
        Long seen = execute.idempotencyKey() == null ? null : state.versionByKey().get(execute.idempotencyKey());
        if (seen != null) {
            return Effect().reply(execute.replyTo(), new Done(state.order(), true));
        }
        long version = state.order().version();
        if (execute.expectedVersion() != null && execute.expectedVersion() != version) {
            return Effect().reply(execute.replyTo(), new VersionConflict(execute.expectedVersion(), version));
        }
        Order.Decision decision = state.order().decide(execute.command());
        if (decision instanceof Order.Rejected rejected) {
            return Effect().reply(execute.replyTo(), new Rejected(rejected.rejection()));
        }
        var recorded = ((Order.Accepted) decision).events().stream()
                .map(event -> new Recorded(event, execute.idempotencyKey()))
                .toList();
        return Effect().persist(recorded).thenReply(execute.replyTo(), after -> new Done(after.order(), false));
    }

    @Override
    public EventHandler<State, Recorded> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public Set<String> tagsFor(Recorded event) {
        return Set.of(TAG);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
    }
}
