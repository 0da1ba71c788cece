package io.analytics.hub;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live series one node serves. Every tick it evaluates each distinct subscribed series once
 * (project + spec), diffs the value against the previous one and hands the change to every
 * subscriber of that series. A subscriber's first message for a series is a snapshot, later ones are
 * deltas; a subscriber whose buffer overflowed is owed a snapshot again. Handing over never blocks,
 * so a slow client costs the tick nothing.
 *
 * <p>The changes of one tick reach each client together, as one {@link Outgoing.Batch}, once every
 * evaluation the tick started has answered (or at the next tick, if one is slower): a client then
 * costs one wake-up of its connection per tick instead of one per series, and its frames leave
 * back to back, so the socket writes them together. Evaluations outside the tick's rhythm (a first
 * subscriber's, a paced series') are handed over as soon as they answer.
 *
 * <p>While the node is behind what it is sent, a round starts only every behind tick ({@link TickPace}):
 * the dashboards update less often rather than take throughput from the pipeline.
 */
public final class LiveSeries extends AbstractBehavior<LiveSeries.Command> {

    /** Named after this class: the context's logger of a system actor is named after Pekko's ActorCell. */
    private static final Logger log = LoggerFactory.getLogger(LiveSeries.class);

    public sealed interface Command {}

    public record Subscribe(LiveClient client, String project, SeriesSpec spec) implements Command {}

    public record Unsubscribe(LiveClient client, String project, String name) implements Command {}

    public record Disconnected(LiveClient client) implements Command {}

    public record GetStats(ActorRef<Stats> replyTo) implements Command {}

    /**
     * {@code clients} connected with at least one subscription, {@code series} evaluated per round;
     * {@code behind}: rounds are at the behind pace because the node is behind what it is sent.
     */
    public record Stats(int clients, int series, long droppedUpdates, boolean behind) {}

    private enum Tick implements Command { INSTANCE }

    /** {@code round}: the tick that started the evaluation, {@link #OFF_ROUND} for one handed over on its own. */
    private record Evaluated(Key key, long round, LiveValue value) implements Command {}

    private record EvaluationFailed(Key key, long round, Throwable cause) implements Command {}

    private static final long OFF_ROUND = -1;

    private record Key(String project, SeriesSpec spec) {}

    private static final class Subscriber {
        final Client owner;
        boolean needsSnapshot = true;

        Subscriber(Client owner) {
            this.owner = owner;
        }
    }

    /**
     * A connected client: its subscriptions, and the changes of the hand-over under way, gathered here
     * through its subscribers rather than looked up by id (with a thousand clients a tick, the lookups
     * and their allocations were a tenth of the node's work for the hub).
     */
    private static final class Client {
        final LiveClient client;
        final Set<Key> keys = new HashSet<>();
        /** The last hand-over that had changes for it; those are gathered below while it runs. */
        long handOver;
        final List<Subscriber> changed = new ArrayList<>();
        final List<LiveUpdate> updates = new ArrayList<>();

        Client(LiveClient client) {
            this.client = client;
        }
    }

    private static final class Series {
        final Map<String, Subscriber> subscribers = new LinkedHashMap<>();
        LiveUpdate current;
        boolean evaluating;
        /** When the next tick may evaluate it again (epoch ms): every tick, except for series with their own pace. */
        long due;
    }

    private final SeriesEvaluator evaluator;
    private final TickPace pace;
    private final Supplier<NodeLoad> load;
    private final Clock clock;
    private final LongAdder dropped;
    private final Map<Key, Series> series = new HashMap<>();
    private final Map<String, Client> clients = new HashMap<>();
    private long handOvers;
    /** The current tick (counting from 0, so never {@link #OFF_ROUND}), its evaluations still out, and their changes so far. */
    private long round;
    private int roundOutstanding;
    private final Map<Series, LiveUpdate> roundChanges = new LinkedHashMap<>();

    private LiveSeries(ActorContext<Command> context, SeriesEvaluator evaluator, TickPace pace,
            Supplier<NodeLoad> load, Clock clock, LongAdder dropped) {
        super(context);
        this.evaluator = evaluator;
        this.pace = pace;
        this.load = load;
        this.clock = clock;
        this.dropped = dropped;
    }

    /**
     * @param pace which ticks start a round; {@code tick} must be the one it was made with
     * @param load how far the node is behind what it is sent, read every tick
     * @param dropped counts every update a client did not get (superseded or overflowed)
     */
    static Behavior<Command> create(MetricSource metrics, FunnelSource funnels, Duration tick, TickPace pace,
            Supplier<NodeLoad> load, Clock clock, LongAdder dropped) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, tick);
            return new LiveSeries(context, new SeriesEvaluator(metrics, funnels), pace, load, clock, dropped);
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(Unsubscribe.class, this::onUnsubscribe)
                .onMessage(Disconnected.class, this::onDisconnected)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessage(Evaluated.class, this::onEvaluated)
                .onMessage(EvaluationFailed.class, this::onEvaluationFailed)
                .onMessage(GetStats.class, this::onGetStats)
                .build();
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        Key key = new Key(subscribe.project(), subscribe.spec());
        Series target = series.computeIfAbsent(key, k -> new Series());
        Client owner = clients.computeIfAbsent(subscribe.client().id(), id -> new Client(subscribe.client()));
        Subscriber subscriber = new Subscriber(owner);
        target.subscribers.put(subscribe.client().id(), subscriber);
        owner.keys.add(key);
        if (target.current != null) {
            deliver(owner.client, List.of(subscriber), List.of(target.current));
        } else {
            evaluate(key, target, OFF_ROUND);
        }
        return this;
    }

    private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
        String id = unsubscribe.client().id();
        Client owner = clients.get(id);
        Set<Key> keys = owner == null ? Set.of() : owner.keys;
        keys.stream()
                .filter(key -> key.project().equals(unsubscribe.project()) && key.spec().name().equals(unsubscribe.name()))
                .toList()
                .forEach(key -> {
                    keys.remove(key);
                    leave(key, id);
                });
        return this;
    }

    private Behavior<Command> onDisconnected(Disconnected disconnected) {
        String id = disconnected.client().id();
        Client owner = clients.remove(id);
        if (owner != null) {
            owner.keys.forEach(key -> leave(key, id));
        }
        return this;
    }

    private void leave(Key key, String clientId) {
        Series left = series.get(key);
        if (left == null) {
            return;
        }
        left.subscribers.remove(clientId);
        if (left.subscribers.isEmpty()) {
            series.remove(key);
        }
    }

    private Behavior<Command> onTick() {
        flushRound();
        long now = clock.millis();
        boolean wasBehind = pace.behind();
        NodeLoad nodeLoad = load.get();
        boolean starts = pace.startRound(now, nodeLoad);
        if (pace.behind() != wasBehind) {
            log.info(pace.behind()
                    ? "the node is behind what it is sent (ingest store time {} ms, pipeline delay {} ms): live series now update at the behind pace"
                    : "the node caught up (ingest store time {} ms, pipeline delay {} ms): live series update every tick again",
                    nodeLoad.ingestStoreTime().toMillis(), nodeLoad.pipelineDelay().toMillis());
        }
        if (!starts) {
            return this;
        }
        round++;
        roundOutstanding = 0;
        series.forEach((key, target) -> {
            if (now >= target.due && evaluate(key, target, pace(key.spec()).isZero() ? round : OFF_ROUND)) {
                roundOutstanding++;
            }
        });
        return this;
    }

    /**
     * At most one evaluation of a series at a time: a slow query skips ticks instead of piling up.
     * True when an evaluation belonging to {@code ofRound} started.
     */
    private boolean evaluate(Key key, Series target, long ofRound) {
        if (target.evaluating) {
            return false;
        }
        target.evaluating = true;
        long now = clock.millis();
        target.due = now + pace(key.spec()).toMillis();
        getContext().pipeToSelf(evaluator.evaluate(key.project(), key.spec(), now), (value, failure) -> failure == null
                ? new Evaluated(key, ofRound, value) : new EvaluationFailed(key, ofRound, failure));
        return ofRound != OFF_ROUND;
    }

    private static Duration pace(SeriesSpec spec) {
        return spec instanceof SeriesSpec.Funnel funnel ? funnel.every() : Duration.ZERO;
    }

    /** Counts an answer of the current round; the last one hands the round's changes over. */
    private void answered(long ofRound) {
        if (ofRound == round && --roundOutstanding == 0) {
            flushRound();
        }
    }

    private Behavior<Command> onEvaluated(Evaluated evaluated) {
        Series target = series.get(evaluated.key());
        if (target == null) {
            answered(evaluated.round());
            return this;
        }
        target.evaluating = false;
        LiveUpdate previous = target.current;
        LiveUpdate next = LiveUpdate.snapshot(evaluated.key().spec().name(), evaluated.value());
        LiveUpdate delta = previous == null ? next
                : evaluated.value().changesSince(previous.value()).map(next::delta).orElse(null);
        if (delta != null) {
            target.current = next;
            if (evaluated.round() == round) {
                roundChanges.put(target, delta);
            } else {
                handOver(Map.of(target, delta));
            }
        }
        answered(evaluated.round());
        return this;
    }

    private void flushRound() {
        if (!roundChanges.isEmpty()) {
            handOver(roundChanges);
            roundChanges.clear();
        }
    }

    /** Each subscriber of the changed series gets its changes of them in one offer, whatever their number. */
    private void handOver(Map<Series, LiveUpdate> changes) {
        long handOver = ++handOvers;
        List<Client> touched = new ArrayList<>();
        changes.forEach((target, update) -> {
            for (Subscriber subscriber : target.subscribers.values()) {
                Client owner = subscriber.owner;
                if (owner.handOver != handOver) {
                    owner.handOver = handOver;
                    touched.add(owner);
                }
                owner.changed.add(subscriber);
                owner.updates.add(update);
            }
        });
        for (Client owner : touched) {
            deliver(owner.client, owner.changed, owner.updates);
            owner.changed.clear();
            owner.updates.clear();
        }
    }

    /** {@code updates.get(i)} is for {@code subscribers.get(i)}, one client's subscriptions to different series. */
    private void deliver(LiveClient client, List<Subscriber> subscribers, List<LiveUpdate> updates) {
        List<LiveUpdate> messages = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            messages.add(subscribers.get(i).needsSnapshot ? updates.get(i).asSnapshot() : updates.get(i));
        }
        boolean accepted = client.offer(messages.size() == 1 ? messages.get(0) : new Outgoing.Batch(messages));
        for (Subscriber subscriber : subscribers) {
            subscriber.needsSnapshot = !accepted;
        }
        if (!accepted) {
            dropped.add(messages.size());
        }
    }

    private Behavior<Command> onEvaluationFailed(EvaluationFailed failed) {
        Series target = series.get(failed.key());
        if (target != null) {
            target.evaluating = false;
        }
        answered(failed.round());
        log.warn("live series {} of project {} could not be evaluated (retried next tick): {}",
                failed.key().spec().name(), failed.key().project(), failed.cause().toString());
        return this;
    }

    private Behavior<Command> onGetStats(GetStats get) {
        get.replyTo().tell(new Stats(clients.size(), series.size(), dropped.sum(), pace.behind()));
        return this;
    }
}
