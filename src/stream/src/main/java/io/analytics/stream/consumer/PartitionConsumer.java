package io.analytics.stream.consumer;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.event.EventCodec;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.PartitionBatch;
import io.analytics.core.window.Watermark;
import io.analytics.ops.ConsumerProgress;
import io.analytics.ops.TraceIds;
import io.analytics.stream.metrics.MetricPartition;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the raw events topic and feeds each partition, as pre-aggregated micro-batches, to the
 * {@link MetricPartition} entity of the same number. Offsets are not committed to Kafka: the entity
 * is the source of truth for where a partition resumes, which is what makes a replay harmless.
 */
public final class PartitionConsumer implements ConsumerProgress {

    private static final Logger log = LoggerFactory.getLogger(PartitionConsumer.class);
    private static final Duration RESTART_DELAY = Duration.ofSeconds(1);
    private static final Duration STOP_DRAIN = Duration.ofSeconds(2);
    /** Short, so that a partition whose entity moved after a node failed resumes within a second of the move. */
    private static final Duration POSITION_ASK_TIMEOUT = Duration.ofSeconds(1);
    /** Far longer than an entity takes to apply a batch, even behind a busy journal; see {@link #askRepeatedly}. */
    private static final Duration APPLY_ATTEMPT_TIMEOUT = Duration.ofSeconds(3);
    /** How long a partition may go without a stream once positioned; see {@link StreamlessPartitions}. */
    private static final Duration STREAM_START_DEADLINE = Duration.ofSeconds(5);
    private static final Duration STREAMLESS_CHECK_EVERY = Duration.ofSeconds(1);
    /** After this long without a batch applied, the pipeline counts as idle rather than behind; see {@link #delay()}. */
    private static final Duration IDLE_AFTER = Duration.ofSeconds(2);
    /** A batch names at most this many of its records' trace ids to the entity's log. */
    private static final int TRACE_IDS_PER_BATCH = 8;

    /** How the consumer reads, batches and pre-aggregates. */
    public record Settings(
            String bootstrapServers,
            String topic,
            String groupId,
            int maxBatchRecords,
            int maxBatchCells,
            Duration maxBatchDelay,
            List<Dimension> dimensions,
            Duration allowedLateness,
            Duration maxFutureSkew,
            Duration askTimeout) {}

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Settings settings;
    private final String clientId;
    /** Per partition assigned: where its entity said a stream of it resumes. */
    private final Map<Integer, MetricPartition.Position> resumePositions = new ConcurrentHashMap<>();
    private final AtomicReference<Consumer.DrainingControl<Done>> control = new AtomicReference<>();
    /** Ends every partition's stream at once; each still hands its last batch to its entity. */
    private final AtomicReference<SharedKillSwitch> partitionStreams = new AtomicReference<>();
    /** Fails the consumer's own stream, which then restarts, whether or not any partition has a stream to fail. */
    private final AtomicReference<SharedKillSwitch> consumerStream = new AtomicReference<>();
    private final StreamlessPartitions streamless = new StreamlessPartitions(STREAM_START_DEADLINE);
    private volatile boolean stopping;
    private final Set<CompletableFuture<Done>> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong malformedRecords = new AtomicLong();
    /** Per partition this node consumes: the next offset its entity expects. */
    private final Map<Integer, Long> nextOffsets = new ConcurrentHashMap<>();
    private final ConsumerMeters meters;

    private PartitionConsumer(ActorSystem<?> system, ClusterSharding sharding, Settings settings, MeterRegistry registry) {
        this.system = system;
        this.sharding = sharding;
        this.settings = settings;
        this.clientId = settings.groupId() + "-" + UUID.randomUUID();
        this.meters = new ConsumerMeters(registry, Clock.systemUTC());
        FunctionCounter.builder("analytics.events.malformed", malformedRecords, AtomicLong::doubleValue)
                .description("records of the raw topic skipped because they were not valid events").register(registry);
    }

    public static PartitionConsumer start(ActorSystem<?> system, ClusterSharding sharding, Settings settings,
            MeterRegistry registry) {
        PartitionConsumer consumer = new PartitionConsumer(system, sharding, settings, registry);
        consumer.run();
        consumer.restartWhenADownedNodeIsRemoved();
        consumer.restartWhenAPartitionGetsNoStream();
        return consumer;
    }

    /**
     * Batches sent to entities of a node that died are lost, not refused: each would hold its partition
     * until the ask timed out. Once the downed node is removed, its shards are being started elsewhere,
     * so the streams start again at once and resume from what the entities applied.
     */
    private void restartWhenADownedNodeIsRemoved() {
        ActorRef<ClusterEvent.MemberRemoved> watcher = system.systemActorOf(Behaviors.receiveMessage(removed -> {
            if (removed.previousStatus() == MemberStatus.down() && !stopping) {
                log.info("Node {} was downed and removed; restarting the partition streams", removed.member().address());
                restart("node " + removed.member().address() + " removed");
            }
            return Behaviors.same();
        }), "partition-consumer-membership", Props.empty());
        Cluster.get(system).subscriptions().tell(Subscribe.create(watcher, ClusterEvent.MemberRemoved.class));
    }

    /** The consumer restarts, and resumes from what the entities applied, when a partition it owns is not being read. */
    private void restartWhenAPartitionGetsNoStream() {
        system.scheduler().scheduleWithFixedDelay(STREAMLESS_CHECK_EVERY, STREAMLESS_CHECK_EVERY, () -> {
            Set<Integer> lost;
            synchronized (streamless) {
                lost = streamless.overdue(System.nanoTime());
            }
            if (!lost.isEmpty() && !stopping) {
                log.warn("Partitions {} of {} were assigned to this node and positioned more than {} ago, but the Kafka"
                        + " source started no stream for them; restarting the consumer", lost, settings.topic(), STREAM_START_DEADLINE);
                restart("partitions " + lost + " got no stream");
            }
        }, system.executionContext());
    }

    /** Fails every stream of the current consumer; {@link #run()} then starts a new one. */
    private void restart(String reason) {
        IllegalStateException cause = new IllegalStateException(reason);
        partitionStreams.get().abort(cause);
        consumerStream.get().abort(cause);
    }

    @Override
    public String topic() {
        return settings.topic();
    }

    @Override
    public String groupId() {
        return settings.groupId();
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public Map<Integer, Long> nextOffsets() {
        return Map.copyOf(nextOffsets);
    }

    /**
     * From the Kafka consumer's own metrics: its seconds since the last rebalance are -1 until it has joined
     * its group, and it counts the partitions assigned to it.
     */
    @Override
    public CompletionStage<Membership> membership() {
        Consumer.DrainingControl<Done> current = control.get();
        if (current == null) {
            return CompletableFuture.completedFuture(new Membership(false, 0));
        }
        return current.getMetrics().thenApply(metrics -> {
            Map<String, Double> coordinator = new HashMap<>();
            metrics.forEach((name, metric) -> {
                if (name.group().equals("consumer-coordinator-metrics") && metric.metricValue() instanceof Number value) {
                    coordinator.put(name.name(), value.doubleValue());
                }
            });
            return new Membership(coordinator.getOrDefault("last-rebalance-seconds-ago", -1.0) >= 0,
                    coordinator.getOrDefault("assigned-partitions", 0.0).intValue());
        });
    }

    /**
     * How far behind this node's pipeline is: how old (by Kafka timestamp) the oldest record of the batch it
     * applied last was when it was applied. Zero when it applied none in the last {@link #IDLE_AFTER}.
     */
    public Duration delay() {
        return meters.delay(IDLE_AFTER);
    }

    /** Records of the raw topic that were not valid events and so were skipped (they stay in the topic). */
    public long malformedRecords() {
        return malformedRecords.get();
    }

    /**
     * Stops fetching, gives batches in flight {@link #STOP_DRAIN} to reach their entities, then closes the
     * Kafka consumer, which hands its partitions to the group's other members. A batch still waiting then
     * (an entity recovering, a busy database) is dropped rather than waited for: its partition would have
     * no consumer meanwhile, and its next owner resumes from what the entity applied anyway.
     */
    public CompletionStage<Done> stop() {
        stopping = true;
        partitionStreams.get().shutdown();
        return CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, STOP_DRAIN.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(drained -> {
                    partitionStreams.get().abort(new IllegalStateException("stopping"));
                    return control.get().shutdown();
                });
    }

    /**
     * Runs the consumer; if it fails (broker gone, an entity not answering, a batch overlapping another
     * consumer's), it starts again after a pause and resumes from what the entities applied.
     */
    private void run() {
        partitionStreams.set(KillSwitches.shared("partition-streams"));
        consumerStream.set(KillSwitches.shared("consumer-stream"));
        synchronized (streamless) {
            streamless.restarted();
        }
        Consumer.DrainingControl<Done> running = Consumer.plainPartitionedManualOffsetSource(
                        consumerSettings(), Subscriptions.topics(settings.topic()), this::positionsOf, this::revoked)
                .via(consumerStream.get().flow())
                .mapAsyncUnordered(4096, pair -> consume(pair.first(), pair.second()))
                .toMat(Sink.ignore(), Consumer::createDrainingControl)
                .run(system);
        control.set(running);
        running.streamCompletion().whenComplete((done, failure) -> {
            if (failure != null && !stopping) {
                log.warn("Consumer of {} failed; restarting in {}: {}", settings.topic(), RESTART_DELAY, failure.getMessage());
                system.scheduler().scheduleOnce(RESTART_DELAY, this::run, system.executionContext());
            }
        });
    }

    private CompletionStage<Map<TopicPartition, Object>> positionsOf(Set<TopicPartition> assigned) {
        Map<TopicPartition, Object> offsets = new ConcurrentHashMap<>();
        CompletableFuture<?>[] asks = assigned.stream()
                .map(tp -> askRepeatedly(tp.partition(), MetricPartition.GetPosition::new, POSITION_ASK_TIMEOUT)
                        .thenAccept(position -> {
                            resumePositions.put(tp.partition(), position);
                            offsets.put(tp, position.lastOffset() + 1);
                            nextOffsets.put(tp.partition(), position.lastOffset() + 1);
                        })
                        .toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(asks).thenApply(done -> {
            log.info("Resuming partitions of {} at {}", settings.topic(), new HashMap<>(offsets));
            synchronized (streamless) {
                streamless.positioned(offsets.keySet().stream().map(TopicPartition::partition).toList(), System.nanoTime());
            }
            return offsets;
        });
    }

    private void revoked(Set<TopicPartition> revoked) {
        synchronized (streamless) {
            streamless.revoked(revoked.stream().map(TopicPartition::partition).toList());
        }
    }

    /**
     * Asks the partition's entity, and again each time {@code attemptTimeout} passes without an answer, for
     * at most the ask timeout in all. A message can be lost on its way without anyone failing: sent while
     * the entity's node is being removed, or buffered by sharding for a shard being handed off (a node
     * joining or leaving), which drops it. The partition would then stand still for the whole ask timeout.
     * Only for commands that are harmless twice: asking for the position changes nothing, and an entity
     * applies a batch once and acknowledges its copy as applied.
     */
    private <T> CompletableFuture<T> askRepeatedly(int partition,
            Function<org.apache.pekko.actor.typed.ActorRef<T>, MetricPartition.Command> command, Duration attemptTimeout) {
        Duration each = attemptTimeout.compareTo(settings.askTimeout()) < 0 ? attemptTimeout : settings.askTimeout();
        return askRepeatedly(partition, command, each, (int) Math.max(1, settings.askTimeout().dividedBy(each)));
    }

    private <T> CompletableFuture<T> askRepeatedly(int partition,
            Function<org.apache.pekko.actor.typed.ActorRef<T>, MetricPartition.Command> command, Duration each, int attempts) {
        return entity(partition).ask(command::apply, each)
                .toCompletableFuture()
                .exceptionallyCompose(failure -> attempts > 1
                        ? askRepeatedly(partition, command, each, attempts - 1)
                        : CompletableFuture.failedFuture(failure));
    }

    private CompletionStage<Done> consume(TopicPartition tp, Source<ConsumerRecord<byte[], byte[]>, NotUsed> records) {
        int partition = tp.partition();
        MetricPartition.Position resumed = resumePositions.get(partition);
        if (resumed == null) {
            throw new IllegalStateException("partition " + partition + " was handed over without a resume position");
        }
        synchronized (streamless) {
            streamless.started(partition);
        }
        Batcher batcher = new Batcher(resumed.lastOffset() + 1,
                new Watermark(resumed.watermark().maxEventTime(), settings.allowedLateness().toMillis()));
        CompletableFuture<Done> done = records
                .via(partitionStreams.get().flow())
                .groupedWithin(settings.maxBatchRecords(), settings.maxBatchDelay())
                .mapConcat(batcher::aggregate)
                .async()
                .mapAsync(1, batch -> {
                    long sent = System.nanoTime();
                    return askRepeatedly(partition, batch::command, APPLY_ATTEMPT_TIMEOUT).thenApply(reply -> {
                        applied(partition, batch, reply, sent);
                        return reply;
                    });
                })
                .runWith(Sink.ignore(), system)
                .toCompletableFuture();
        running.add(done);
        done.whenComplete((d, e) -> {
            synchronized (streamless) {
                streamless.ended(partition);
            }
            running.remove(done);
            nextOffsets.remove(partition);
            meters.released(partition);
        });
        return done;
    }

    private void applied(int partition, Batch batch, MetricPartition.BatchReply reply, long sentNanos) {
        if (reply instanceof MetricPartition.OutOfSequence refused) {
            throw new IllegalStateException("partition " + partition + " was applied up to " + refused.lastOffset()
                    + ", and offsets " + batch.fromOffset() + "-" + batch.toOffset() + " do not continue from there; re-seeking");
        }
        nextOffsets.put(partition, ((MetricPartition.Applied) reply).lastOffset() + 1);
        meters.applied(partition, batch.eventsByType(), batch.aggregate().lateEvents(), batch.oldestTimestamp(),
                batch.aggregate().watermark().maxEventTime(), sentNanos);
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<MetricPartition.Command> entity(int partition) {
        return sharding.entityRefFor(MetricPartition.TYPE_KEY, Integer.toString(partition));
    }

    /** A pre-aggregated run of records, waiting for the entity's reply address. */
    private record Batch(long fromOffset, long toOffset, PartitionBatch aggregate, Map<String, Long> eventsByType,
            long oldestTimestamp, List<String> traceIds) {
        MetricPartition.ApplyBatch command(org.apache.pekko.actor.typed.ActorRef<MetricPartition.BatchReply> replyTo) {
            return new MetricPartition.ApplyBatch(fromOffset, toOffset, aggregate.watermark(), aggregate.events(),
                    aggregate.lateEvents(), aggregate.deltas(), traceIds, replyTo);
        }
    }

    /** Carries the watermark, and the offset reached, from one micro-batch of a partition to the next. */
    private final class Batcher {
        private Watermark watermark;
        private long lastOffset = -1;
        /** Whether the last record delivered was one read before, so a run of them is logged once. */
        private boolean redelivering;
        /** Where the next batch goes on from: the resume position, then one past the previous batch. */
        private long continueFrom;

        Batcher(long resumeOffset, Watermark start) {
            this.continueFrom = resumeOffset;
            this.watermark = start;
        }

        /**
         * Pre-aggregates the records, cut into several batches of contiguous offsets when they touch more
         * than {@code maxBatchCells} cells: a command must fit into one remote message when its entity
         * lives on another node.
         */
        List<Batch> aggregate(List<ConsumerRecord<byte[], byte[]>> delivered) {
            List<ConsumerRecord<byte[], byte[]>> records = unseen(delivered);
            if (records.isEmpty()) {
                return List.of();
            }
            List<Batch> batches = new ArrayList<>(1);
            Part part = new Part(continueFrom);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                part.add(record);
                if (part.batch.cells() >= settings.maxBatchCells()) {
                    batches.add(part.close(record.offset()));
                    part = new Part(continueFrom);
                }
            }
            long last = records.get(records.size() - 1).offset();
            if (part.from <= last) {
                batches.add(part.close(last));
            }
            return batches;
        }

        /**
         * The records this stream has not read yet. A batch covers the offsets from its first record to its
         * last, so a record delivered again would be counted twice. Around a rebalance that gives a partition
         * back to this node, the Kafka client starts it again from an earlier offset (the group's committed
         * one, and none is committed, so from the start) until the seek to the entity's position lands;
         * those records were read already and are skipped. Skipping leaves no gap an entity would accept:
         * the client reads on from where it was put, at or before the entity's position; if that position
         * is past this stream's (another stream got there first), the entity refuses the next batch, which
         * does not continue from it, and the consumer re-seeks.
         */
        private List<ConsumerRecord<byte[], byte[]>> unseen(List<ConsumerRecord<byte[], byte[]>> records) {
            List<ConsumerRecord<byte[], byte[]>> unseen = new ArrayList<>(records.size());
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.offset() > lastOffset) {
                    unseen.add(record);
                    lastOffset = record.offset();
                    redelivering = false;
                    continue;
                }
                if (!redelivering) {
                    log.info("Partition {}: the Kafka client delivered offset {} again after {}; skipping what was read",
                            record.partition(), record.offset(), lastOffset);
                }
                redelivering = true;
            }
            return unseen;
        }

        /** The records of one command: the offsets from {@code from} on, starting at the watermark so far. */
        private final class Part {
            private final long from;
            private final PartitionBatch batch = new PartitionBatch(settings.dimensions(), watermark, settings.maxFutureSkew().toMillis());
            private final Map<String, Long> eventsByType = new HashMap<>();
            private final Set<String> traceIds = new LinkedHashSet<>();
            private long oldest = Long.MAX_VALUE;

            Part(long from) {
                this.from = from;
            }

            void add(ConsumerRecord<byte[], byte[]> record) {
                AnalyticsEvent event = decode(record);
                if (event != null) {
                    batch.add(event, record.timestamp());
                    eventsByType.merge(event.eventType(), 1L, Long::sum);
                }
                oldest = Math.min(oldest, record.timestamp());
                Header trace = record.headers().lastHeader(TraceIds.KAFKA_HEADER);
                if (trace != null && traceIds.size() < TRACE_IDS_PER_BATCH) {
                    traceIds.add(new String(trace.value(), StandardCharsets.UTF_8));
                }
            }

            Batch close(long to) {
                watermark = batch.watermark();
                continueFrom = to + 1;
                return new Batch(from, to, batch, eventsByType, oldest, List.copyOf(traceIds));
            }
        }

        private AnalyticsEvent decode(ConsumerRecord<byte[], byte[]> record) {
            try {
                if (record.value() == null) {
                    throw new EventCodec.MalformedEventException("record has no value");
                }
                return EventCodec.decode(record.value());
            } catch (EventCodec.MalformedEventException e) {
                long count = malformedRecords.incrementAndGet();
                if (Long.bitCount(count) == 1) {
                    log.warn("Skipping malformed record {}-{}@{} ({} so far): {}",
                            record.topic(), record.partition(), record.offset(), count, e.getMessage());
                }
                return null;
            }
        }
    }

    private ConsumerSettings<byte[], byte[]> consumerSettings() {
        return ConsumerSettings.create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(settings.bootstrapServers())
                .withGroupId(settings.groupId())
                .withProperty(ConsumerConfig.CLIENT_ID_CONFIG, clientId)
                // Nothing is committed to Kafka, so there is nothing to wait for when stopping.
                .withStopTimeout(Duration.ZERO)
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.maxBatchRecords()))
                .withProperty(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
    }
}
