package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.window.WindowSize;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry with metric values that change at every evaluation, and clients that record what they are offered. */
class LiveSeriesTest {

    static final List<SeriesSpec> SPECS = List.of(spec("a"), spec("b"), spec("c"));

    final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "live-series-test");
    final AtomicLong evaluations = new AtomicLong();
    final LongAdder dropped = new LongAdder();
    final ActorRef<LiveSeries.Command> registry = system.systemActorOf(LiveSeries.create(
            query -> CompletableFuture.completedFuture(List.of(new MetricSeries(null,
                    List.of(new MetricSeries.Point(0, evaluations.incrementAndGet(), 1))))),
            null, Duration.ofMillis(50), new TickPace(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(1)),
            () -> NodeLoad.IDLE,
            Clock.systemUTC(), dropped), "live-series", org.apache.pekko.actor.typed.Props.empty());

    @AfterEach
    void stop() {
        system.terminate();
    }

    @Test
    void aClientGetsTheChangesOfATickInOneOfferAndEachUpdateIsSharedByAllClients() throws Exception {
        RecordingClient first = new RecordingClient("first");
        RecordingClient second = new RecordingClient("second");
        for (RecordingClient client : List.of(first, second)) {
            SPECS.forEach(spec -> registry.tell(new LiveSeries.Subscribe(client, "p", spec)));
        }
        Outgoing.Batch batch = first.nextBatch();
        assertThat(batch.updates()).extracting(LiveUpdate::name).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(batch.updates()).noneMatch(LiveUpdate::isSnapshot);
        // The very same update objects (their JSON rendered once) reach the other client in one offer too.
        Outgoing.Batch other = second.nextBatchWith(batch.updates().get(0));
        assertThat(other.updates()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(other.updates().get(i)).isSameAs(batch.updates().get(i));
        }
    }

    @Test
    void aRefusedOfferIsCountedAndOwesSnapshots() throws Exception {
        RecordingClient client = new RecordingClient("slow");
        SPECS.forEach(spec -> registry.tell(new LiveSeries.Subscribe(client, "p", spec)));
        client.nextBatch();
        client.refuse.set(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dropped.sum() < SPECS.size()) {
            assertThat(System.nanoTime()).as("a refused batch counted as 3 dropped updates").isLessThan(deadline);
            Thread.sleep(10);
        }
        client.offered.clear();
        client.refuse.set(false);
        Outgoing.Batch after = client.nextBatch();
        assertThat(after.updates()).hasSize(3).allMatch(LiveUpdate::isSnapshot);
    }

    @Test
    void whileThePipelineIsBehindRoundsStartOnlyEveryBehindTick() throws Exception {
        AtomicLong delayMillis = new AtomicLong();
        ActorRef<LiveSeries.Command> paced = system.systemActorOf(LiveSeries.create(
                query -> CompletableFuture.completedFuture(List.of(new MetricSeries(null,
                        List.of(new MetricSeries.Point(0, evaluations.incrementAndGet(), 1))))),
                null, Duration.ofMillis(50), new TickPace(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofSeconds(1)),
                () -> new NodeLoad(Duration.ZERO, Duration.ofMillis(delayMillis.get())), Clock.systemUTC(), dropped), "paced", org.apache.pekko.actor.typed.Props.empty());
        RecordingClient client = new RecordingClient("paced");
        SPECS.forEach(spec -> paced.tell(new LiveSeries.Subscribe(client, "p", spec)));
        client.nextBatch();

        int idle = batchesWithin(client, Duration.ofSeconds(1));
        delayMillis.set(5000);
        batchesWithin(client, Duration.ofMillis(500));
        int behind = batchesWithin(client, Duration.ofSeconds(2));

        assertThat(idle).as("rounds in 1 s at a 50 ms tick").isGreaterThan(10);
        assertThat(behind).as("rounds in 2 s at a 500 ms behind tick").isBetween(2, 5);
    }

    /** How many batches the client is offered within {@code span}. */
    private static int batchesWithin(RecordingClient client, Duration span) throws InterruptedException {
        long end = System.nanoTime() + span.toNanos();
        int batches = 0;
        for (long left = span.toNanos(); left > 0; left = end - System.nanoTime()) {
            if (client.offered.poll(left, TimeUnit.NANOSECONDS) instanceof Outgoing.Batch) {
                batches++;
            }
        }
        return batches;
    }

    private static SeriesSpec.Timeline spec(String name) {
        return new SeriesSpec.Timeline(name, Metric.ORDERS, WindowSize.ONE_MINUTE, null, null,
                new LiveRange.Last(Duration.ofHours(1)), null);
    }

    private static final class RecordingClient implements LiveClient {
        final String id;
        final LinkedBlockingQueue<Outgoing> offered = new LinkedBlockingQueue<>();
        final AtomicBoolean refuse = new AtomicBoolean();

        RecordingClient(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public boolean offer(Outgoing message) {
            if (refuse.get()) {
                return false;
            }
            offered.add(message);
            return true;
        }

        /** The next batch of all three series. */
        Outgoing.Batch nextBatch() throws InterruptedException {
            return next(batch -> batch.updates().size() == SPECS.size());
        }

        Outgoing.Batch nextBatchWith(LiveUpdate update) throws InterruptedException {
            return next(batch -> batch.updates().contains(update));
        }

        private Outgoing.Batch next(java.util.function.Predicate<Outgoing.Batch> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                Outgoing message = offered.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(message).as("the batch wanted within 5 s").isNotNull();
                if (message instanceof Outgoing.Batch batch && wanted.test(batch)) {
                    return batch;
                }
            }
        }
    }
}
