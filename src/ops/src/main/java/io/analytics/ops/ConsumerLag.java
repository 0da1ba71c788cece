package io.analytics.ops;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far this node's consumer is behind the log: every interval, the log end offset of each partition it
 * consumes (from the broker) minus the next offset the consumer will apply. Published as the gauge
 * {@code analytics_consumer_lag_records{partition}} and read by {@link Readiness}.
 */
public final class ConsumerLag implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);

    /**
     * One measurement: the consumer's group membership, the lag of each partition it had resumed, and what the
     * group's description said: how many partitions of the topic it had not assigned to any member (while it
     * rebalances), and which it had assigned to this consumer. {@code at} is null until the first measurement
     * succeeds.
     */
    public record Snapshot(Instant at, ConsumerProgress.Membership membership, Map<Integer, Long> lagByPartition,
            int unassignedPartitions, Set<Integer> assignedByGroup) {
        static final Snapshot NONE = new Snapshot(null, new ConsumerProgress.Membership(false, 0), Map.of(), 0, Set.of());

        /**
         * Partitions the group's description gives this consumer but that it does not consume yet: the broker
         * knows an assignment a moment before the consumer has taken it up.
         */
        public Set<Integer> notTakenUp() {
            Set<Integer> waiting = new TreeSet<>(assignedByGroup);
            waiting.removeAll(lagByPartition.keySet());
            return waiting;
        }

        /** Partitions assigned by the group but not resumed yet (their position is still being looked up). */
        public int resuming() {
            return Math.max(0, membership.assignedPartitions() - lagByPartition.size());
        }

        public long totalLag() {
            return lagByPartition.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final ConsumerProgress progress;
    private final Admin admin;
    private final Duration interval;
    private final Clock clock;
    private final PartitionGauges gauges;
    private final AtomicReference<Snapshot> latest = new AtomicReference<>(Snapshot.NONE);
    private volatile int topicPartitions;
    private final Cancellable polling;

    private ConsumerLag(ActorSystem<?> system, ConsumerProgress progress, String bootstrapServers, Duration interval,
            MeterRegistry registry, Clock clock) {
        this.progress = progress;
        this.interval = interval;
        this.clock = clock;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "analytics-consumer-lag");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(interval.toMillis()));
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(interval.toMillis()));
        this.admin = Admin.create(props);
        this.gauges = new PartitionGauges(registry, "analytics.consumer.lag",
                "records of the raw topic not yet applied, per partition this node consumes", "records",
                DoubleUnaryOperator.identity());
        this.polling = system.scheduler().scheduleWithFixedDelay(Duration.ZERO, interval, this::poll, system.executionContext());
    }

    /** Starts measuring every {@code interval}. */
    public static ConsumerLag start(ActorSystem<?> system, ConsumerProgress progress, String bootstrapServers,
            Duration interval, MeterRegistry registry) {
        return new ConsumerLag(system, progress, bootstrapServers, interval, registry, Clock.systemUTC());
    }

    /** The latest successful measurement. */
    public Snapshot snapshot() {
        return latest.get();
    }

    /** Never throws: a scheduled task that throws is not scheduled again, and readiness would wait for it forever. */
    private void poll() {
        try {
            requestMeasurement();
        } catch (RuntimeException e) {
            log.warn("Could not measure the lag of {}: {}", progress.topic(), e.toString());
        }
    }

    private void requestMeasurement() {
        Map<Integer, Long> next = progress.nextOffsets();
        progress.membership()
                .thenCombine(endOffsets(next), (membership, ends) -> measure(membership, next, ends))
                .thenCombine(groupAssignment(), (snapshot, group) -> new Snapshot(snapshot.at(), snapshot.membership(),
                        snapshot.lagByPartition(), group.unassigned(), group.toThisConsumer()))
                .whenComplete((snapshot, failure) -> {
                    if (failure != null) {
                        log.debug("Could not measure the lag of {}: {}", progress.topic(), failure.toString());
                        return;
                    }
                    latest.set(snapshot);
                    gauges.retainOnly(snapshot.lagByPartition().keySet());
                    snapshot.lagByPartition().forEach(gauges::set);
                });
    }

    private Snapshot measure(ConsumerProgress.Membership membership, Map<Integer, Long> next, Map<Integer, Long> ends) {
        Map<Integer, Long> lag = new HashMap<>();
        next.forEach((partition, offset) -> lag.put(partition, Math.max(0, ends.get(partition) - offset)));
        return new Snapshot(clock.instant(), membership, Map.copyOf(lag), 0, Set.of());
    }

    /** The partitions of the topic that no member of the group holds, and those it gives this consumer. */
    private record GroupAssignment(int unassigned, Set<Integer> toThisConsumer) {}

    /**
     * A consumer can have joined with no partition while its group is still settling (another member has not
     * left yet); it is not consuming then, though a node that the settled group gives no partition (more nodes
     * than partitions) is.
     */
    private CompletionStage<GroupAssignment> groupAssignment() {
        CompletionStage<Integer> partitions = topicPartitions > 0
                ? CompletableFuture.completedFuture(topicPartitions)
                : admin.describeTopics(List.of(progress.topic())).allTopicNames().toCompletionStage()
                        .thenApply(topics -> topicPartitions = topics.get(progress.topic()).partitions().size());
        return admin.describeConsumerGroups(List.of(progress.groupId())).all().toCompletionStage()
                .thenCombine(partitions, (groups, total) -> {
                    List<MemberDescription> members = groups.values().stream()
                            .flatMap(group -> group.members().stream())
                            .toList();
                    Set<Integer> held = partitionsOf(members);
                    Set<Integer> mine = partitionsOf(members.stream()
                            .filter(member -> member.clientId().equals(progress.clientId()))
                            .toList());
                    return new GroupAssignment(total - held.size(), mine);
                });
    }

    private Set<Integer> partitionsOf(List<MemberDescription> members) {
        return members.stream()
                .flatMap(member -> member.assignment().topicPartitions().stream())
                .filter(partition -> partition.topic().equals(progress.topic()))
                .map(TopicPartition::partition)
                .collect(Collectors.toUnmodifiableSet());
    }

    private CompletionStage<Map<Integer, Long>> endOffsets(Map<Integer, Long> next) {
        if (next.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        Map<TopicPartition, OffsetSpec> request = next.keySet().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(progress.topic(), p), p -> OffsetSpec.latest()));
        return admin.listOffsets(request, new ListOffsetsOptions().timeoutMs((int) interval.toMillis()))
                .all()
                .toCompletionStage()
                .thenApply(result -> result.entrySet().stream()
                        .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset())));
    }

    @Override
    public void close() {
        polling.cancel();
        admin.close(Duration.ofSeconds(2));
    }
}
