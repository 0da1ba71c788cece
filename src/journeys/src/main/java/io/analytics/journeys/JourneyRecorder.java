package io.analytics.journeys;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.event.EventCodec;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the raw topic into {@link UserEventStore} in its own consumer group: micro-batches written in
 * one transaction each, offsets committed to Kafka only after. A failure (database or broker away)
 * restarts it from the last committed offsets after a pause; the idempotent write absorbs the replay.
 */
public final class JourneyRecorder {

    private static final Logger log = LoggerFactory.getLogger(JourneyRecorder.class);
    private static final Duration RESTART_DELAY = Duration.ofSeconds(1);

    /** Where to read and how to batch. */
    public record Settings(String bootstrapServers, String topic, String groupId, int maxBatchRecords, Duration maxBatchDelay) {}

    private final ActorSystem<?> system;
    private final UserEventStore store;
    private final Settings settings;
    private final Executor blocking;
    private final AtomicReference<Consumer.DrainingControl<Done>> control = new AtomicReference<>();
    private volatile boolean stopping;

    private JourneyRecorder(ActorSystem<?> system, UserEventStore store, Settings settings, Executor blocking) {
        this.system = system;
        this.store = store;
        this.settings = settings;
        this.blocking = blocking;
    }

    public static JourneyRecorder start(ActorSystem<?> system, UserEventStore store, Settings settings, Executor blocking) {
        JourneyRecorder recorder = new JourneyRecorder(system, store, settings, blocking);
        recorder.run();
        return recorder;
    }

    /** Stops fetching, writes and commits what is in flight, then closes the consumer. */
    public CompletionStage<Done> stop() {
        stopping = true;
        return control.get().drainAndShutdown(system.executionContext());
    }

    private void run() {
        Consumer.DrainingControl<Done> running = Consumer.committableSource(consumerSettings(), Subscriptions.topics(settings.topic()))
                .groupedWithin(settings.maxBatchRecords(), settings.maxBatchDelay())
                .mapAsync(1, batch -> CompletableFuture.supplyAsync(() -> record(batch), blocking))
                .toMat(Committer.sink(CommitterSettings.create(system)), Consumer::createDrainingControl)
                .run(system);
        control.set(running);
        running.streamCompletion().whenComplete((done, failure) -> {
            if (failure != null && !stopping) {
                log.warn("Journey recorder of {} failed; restarting in {}: {}", settings.topic(), RESTART_DELAY, failure.getMessage());
                system.scheduler().scheduleOnce(RESTART_DELAY, this::run, system.executionContext());
            }
        });
    }

    private ConsumerMessage.CommittableOffsetBatch record(List<ConsumerMessage.CommittableMessage<byte[], byte[]>> batch) {
        List<AnalyticsEvent> events = new ArrayList<>(batch.size());
        List<ConsumerMessage.CommittableOffset> offsets = new ArrayList<>(batch.size());
        for (ConsumerMessage.CommittableMessage<byte[], byte[]> message : batch) {
            offsets.add(message.committableOffset());
            byte[] value = message.record().value();
            if (value == null) {
                continue;
            }
            try {
                events.add(EventCodec.decode(value));
            } catch (EventCodec.MalformedEventException e) {
                // The metrics consumer reports malformed records; here they simply are not a user's event.
            }
        }
        try {
            store.record(events);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record user events: " + e.getMessage(), e);
        }
        return ConsumerMessage.createCommittableOffsetBatch(offsets);
    }

    private ConsumerSettings<byte[], byte[]> consumerSettings() {
        return ConsumerSettings.create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(settings.bootstrapServers())
                .withGroupId(settings.groupId())
                // The draining control already waits for the last commit; the default 30 s delay would only hold up a stop.
                .withStopTimeout(Duration.ZERO)
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.maxBatchRecords()));
    }
}
