package io.analytics.stream.metrics;

import io.analytics.core.metric.CellDelta;
import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.window.Watermark;
import io.analytics.ops.TraceIds;
import io.analytics.stream.CborSerializable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric windows fed by one partition of the raw topic: one sharded, event-sourced entity per
 * partition, its id the partition number.
 *
 * <p>Each command applies one pre-aggregated micro-batch and is journaled as one event. The entity
 * remembers the last offset it applied and ignores batches it has seen, which makes the effect of a
 * replayed record exactly-once. When the watermark passes the end of a window, its cells are journaled
 * as closed; the read-model projection stores them and reports back, and only then are they released
 * from memory, so every cell is always answered by this entity or by the read model.
 *
 * <p>While it handles a batch, the log MDC holds the trace ids of (some of) the batch's records under
 * {@code trace_id}, so a request can be followed from ingest to the entity that counted it.
 */
public final class MetricPartition
        extends EventSourcedBehavior<MetricPartition.Command, MetricPartition.Event, MetricPartitionState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "MetricPartition");
    /** The tag the closed-window projection reads. */
    public static final String CLOSED_WINDOWS_TAG = "metric-windows-closed";

    private static final Logger log = LoggerFactory.getLogger(MetricPartition.class);

    public sealed interface Command extends CborSerializable {}

    /**
     * Records [fromOffset, toOffset] of the partition, pre-aggregated, with the watermark after the last of them
     * and the trace ids the records carried (a few, for the log). {@code fromOffset} is where the sender's
     * stream went on from (the position it resumed at, or its previous batch's end), not necessarily its first
     * record's offset: offsets Kafka does not deliver (deleted by retention, transaction markers) belong to the
     * batch after them, so that a batch can be told to continue right after what was applied.
     */
    public record ApplyBatch(
            long fromOffset,
            long toOffset,
            Watermark watermark,
            long events,
            long lateEvents,
            List<CellDelta> deltas,
            List<String> traceIds,
            ActorRef<BatchReply> replyTo)
            implements Command {}

    public sealed interface BatchReply extends CborSerializable {}

    /** The batch is applied, or was already (a replay); the consumer may move on. */
    public record Applied(long lastOffset) implements BatchReply {}

    /**
     * The batch does not start right after what was applied: it overlaps it (another consumer got there
     * first), or it would leave offsets out (its sender resumed from a position the entity has not reached).
     * The sender must re-seek.
     */
    public record OutOfSequence(long lastOffset) implements BatchReply {}

    /** Where a consumer of this partition resumes: after the last applied offset, with the watermark reached there. */
    public record GetPosition(ActorRef<Position> replyTo) implements Command {}

    public record Position(long lastOffset, Watermark watermark) implements CborSerializable {}

    /** The cells this entity still holds that the query selects, and the watermark below which cells live in the read model. */
    public record QueryCells(MetricQuery query, ActorRef<Cells> replyTo) implements Command {}

    public record Cells(int partition, long releasedThrough, List<CellValue> cells, Progress progress)
            implements CborSerializable {}

    /** Where the partition stands in event time, for the status endpoint and the stream's watermark. */
    public record GetProgress(ActorRef<Progress> replyTo) implements Command {}

    /**
     * @param idleMillis processing time since this entity last applied records; {@link Long#MAX_VALUE}
     *     when it has applied none since it started
     */
    public record Progress(int partition, long lastOffset, Watermark watermark, long events, long lateEvents,
            long idleMillis) implements CborSerializable {}

    /** Sent by the projection once the read model durably holds every window ending at or before {@code watermark}. */
    public record ReadModelStored(long watermark) implements Command {}

    public sealed interface Event extends CborSerializable {}

    /**
     * @param rollUp whether {@code deltas} are of the finest windows only, each also adding to the larger
     *     windows containing it; false in journal entries written before, which carried every size
     */
    public record BatchApplied(
            long fromOffset, long toOffset, Watermark watermark, long events, long lateEvents, List<CellDelta> deltas,
            boolean rollUp)
            implements Event {}

    /** Every closed window not yet released, as final values; cumulative so that storing any one of these is enough. */
    public record WindowsClosed(int partition, long watermark, List<CellValue> cells) implements Event {}

    public record WindowsReleased(long watermark) implements Event {}

    private final int partition;
    private final Settings settings;
    /** Processing time of the last batch applied; idleness is about this process, so it is not journaled. */
    private long lastAppliedNanos;
    private boolean appliedSinceStart;
    private final Timer journalWrites;

    /** Journal and memory tuning of the entity. */
    public record Settings(Duration allowedLateness, int snapshotEvery) {}

    private MetricPartition(int partition, Settings settings, Timer journalWrites) {
        super(PersistenceId.of(TYPE_KEY.name(), Integer.toString(partition)));
        this.partition = partition;
        this.settings = settings;
        this.journalWrites = journalWrites;
    }

    /** The entity of partition {@code entityId}; it records its journal write latency to {@code registry}. */
    public static Behavior<Command> create(String entityId, Settings settings, MeterRegistry registry) {
        Timer journalWrites = Timer.builder("analytics.journal.write")
                .description("from a command to its events being in the journal")
                .tag("entity", TYPE_KEY.name())
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        return Behaviors.withMdc(Command.class,
                command -> command instanceof ApplyBatch batch && !batch.traceIds().isEmpty()
                        ? Map.of(TraceIds.MDC_KEY, String.join(",", batch.traceIds()))
                        : Map.of(),
                new MetricPartition(Integer.parseInt(entityId), settings, journalWrites));
    }

    @Override
    public MetricPartitionState emptyState() {
        return MetricPartitionState.empty(Watermark.initial(settings.allowedLateness().toMillis()));
    }

    @Override
    public CommandHandler<Command, Event, MetricPartitionState> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(ApplyBatch.class, this::onApplyBatch)
                .onCommand(GetPosition.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.position()))
                .onCommand(GetProgress.class, (state, cmd) -> Effect().reply(cmd.replyTo(), progress(state)))
                .onCommand(QueryCells.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
                        new Cells(partition, state.releasedThrough(), state.select(cmd.query()), progress(state))))
                .onCommand(ReadModelStored.class, this::onReadModelStored)
                .build();
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, MetricPartitionState> onApplyBatch(
            MetricPartitionState state, ApplyBatch batch) {
        if (batch.toOffset() <= state.lastOffset()) {
            return Effect().reply(batch.replyTo(), new Applied(state.lastOffset()));
        }
        if (batch.fromOffset() != state.lastOffset() + 1) {
            log.warn("Partition {}: refusing offsets {}-{}, which do not continue from {}", partition,
                    batch.fromOffset(), batch.toOffset(), state.lastOffset());
            return Effect().reply(batch.replyTo(), new OutOfSequence(state.lastOffset()));
        }
        lastAppliedNanos = System.nanoTime();
        appliedSinceStart = true;
        log.debug("Partition {}: applying offsets {}-{}, {} events", partition, batch.fromOffset(), batch.toOffset(), batch.events());
        BatchApplied applied = new BatchApplied(
                batch.fromOffset(), batch.toOffset(), batch.watermark(), batch.events(), batch.lateEvents(), batch.deltas(), true);
        long watermark = batch.watermark().value();
        List<Event> events = state.hasCellsClosingAt(watermark, batch.deltas())
                ? List.of(applied, new WindowsClosed(partition, watermark, state.closedCellsAfter(applied)))
                : List.of(applied);
        long started = System.nanoTime();
        return Effect().persist(events)
                .thenRun(s -> journalWrites.record(Duration.ofNanos(System.nanoTime() - started)))
                .thenReply(batch.replyTo(), s -> new Applied(s.lastOffset()));
    }

    private Progress progress(MetricPartitionState state) {
        long idle = appliedSinceStart ? (System.nanoTime() - lastAppliedNanos) / 1_000_000 : Long.MAX_VALUE;
        return state.progress(partition, idle);
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, MetricPartitionState> onReadModelStored(
            MetricPartitionState state, ReadModelStored stored) {
        if (stored.watermark() <= state.releasedThrough()) {
            return Effect().none();
        }
        return Effect().persist(new WindowsReleased(stored.watermark()));
    }

    @Override
    public EventHandler<MetricPartitionState, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(BatchApplied.class, MetricPartitionState::apply)
                .onEvent(WindowsClosed.class, MetricPartitionState::close)
                .onEvent(WindowsReleased.class, MetricPartitionState::release)
                .build();
    }

    @Override
    public Set<String> tagsFor(Event event) {
        return event instanceof WindowsClosed ? Set.of(CLOSED_WINDOWS_TAG) : Set.of();
    }

    /** Journal events are only needed until the next snapshot: the raw topic is the record of what happened. */
    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
    }

    /** The live state is mutable; a snapshot is an immutable copy taken on the entity's own thread. */
    @Override
    public SnapshotAdapter<MetricPartitionState> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(MetricPartitionState state) {
                return state.toSnapshot();
            }

            @Override
            public MetricPartitionState fromJournal(Object from) {
                return MetricPartitionState.fromSnapshot((MetricPartitionState.Snapshot) from);
            }
        };
    }

    @Override
    public SignalHandler<MetricPartitionState> signalHandler() {
        return newSignalHandlerBuilder().build();
    }
}
