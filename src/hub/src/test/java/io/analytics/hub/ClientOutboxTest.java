package io.analytics.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One client's outbox read by a stream, as a connection reads it. */
class ClientOutboxTest {

    final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "client-outbox-test");
    final LongAdder dropped = new LongAdder();
    final ClientOutbox outbox = new ClientOutbox(2, dropped);

    @AfterEach
    void stop() {
        system.terminate();
    }

    @Test
    void anUntakenUpdateIsReplacedByTheNewerSnapshotAndTheClientIsTold() throws Exception {
        LiveUpdate first = alerts("a", "first");
        LiveUpdate newer = first.delta(alertsValue("second"));
        LiveUpdate other = alerts("b", "other");
        outbox.offer(new Outgoing.Batch(List.of(first, other)));
        outbox.offer(newer);
        outbox.complete();

        List<Outgoing> sent = outbox.source(List::copyOf, () -> { }).runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(sent).containsExactly(new Outgoing.Lagging(1, 1), newer.asSnapshot(), other);
        assertThat(dropped.sum()).isEqualTo(1);
    }

    @Test
    void aWaitingClientIsWokenByTheNextOfferAndEndsWhenComplete() throws Exception {
        SinkQueueWithCancel<Outgoing> client = outbox.source(List::copyOf, () -> { }).runWith(Sink.queue(), system);
        CompletionStage<Optional<Outgoing>> next = client.pull();
        assertThat(next.toCompletableFuture()).isNotDone();

        LiveUpdate update = alerts("a", "now");
        assertThat(outbox.offer(update)).isTrue();

        assertThat(next.toCompletableFuture().get(5, TimeUnit.SECONDS)).contains(update);
        outbox.complete();
        assertThat(client.pull().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(outbox.offer(update)).as("a complete outbox refuses").isFalse();
    }

    @Test
    void noticesBeyondTheLimitAreDroppedAndCounted() throws Exception {
        for (int i = 0; i < 3; i++) {
            outbox.offer(new Outgoing.Notice("n" + i));
        }
        outbox.complete();

        List<Outgoing> sent = outbox.source(List::copyOf, () -> { }).runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(sent).containsExactly(new Outgoing.Notice("n0"), new Outgoing.Notice("n1"));
        assertThat(dropped.sum()).isEqualTo(1);
    }

    @Test
    void theFramingGetsWhatAccumulatedTogetherInOrder() throws Exception {
        LiveUpdate a = alerts("a", "one");
        LiveUpdate b = alerts("b", "two");
        outbox.offer(new Outgoing.Notice("n"));
        outbox.offer(new Outgoing.Batch(List.of(a, b)));
        outbox.complete();

        List<List<Outgoing>> frames = outbox.<List<Outgoing>>source(taken -> List.of(List.copyOf(taken)), () -> { })
                .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(frames).containsExactly(List.of(new Outgoing.Notice("n"), a, b));
    }

    @Test
    void aStreamThatStopsRunsItsStopActionAndTheOutboxRefusesFromThenOn() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);

        outbox.source(List::copyOf, stopped::countDown).runWith(Sink.cancelled(), system);

        assertThat(stopped.await(5, TimeUnit.SECONDS)).as("stop action ran").isTrue();
        assertThat(outbox.offer(alerts("a", "late"))).isFalse();
    }

    private static LiveUpdate alerts(String name, String message) {
        return LiveUpdate.snapshot(name, alertsValue(message));
    }

    private static LiveValue alertsValue(String message) {
        return new LiveValue.Alerts(List.of(new Alert("rule", "series", AlertRule.Condition.ABOVE, 0, 1, 0, message)));
    }
}
