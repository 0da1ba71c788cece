package io.analytics.hub;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The messages on their way to one client. An offer never blocks: it lands in a buffer that holds at
 * most one update per subscribed series plus a bounded number of notices, where a newer update of a
 * series replaces the unsent one by the snapshot of the newer value (so nothing the client needs is
 * lost, only superseded intermediate values) and the client is told it fell behind.
 *
 * <p>The buffer is the source stage of the client's own connection stream, not a stream of its own in
 * front of it: with a thousand clients per tick, each extra actor and asynchronous boundary a
 * hand-over crosses costs more than building the frames. A client that is waiting is woken by one
 * message to its connection; one that is still sending takes what accumulated when it next pulls.
 */
final class ClientOutbox implements LiveClient {

    private final String id = UUID.randomUUID().toString();
    private final int maxNotices;
    private final LongAdder dropped;
    /** Guards what follows: the registry offers on its thread, the connection's stream takes on its own. */
    private final Object lock = new Object();
    private Pending pending = new Pending();
    private long supersededTotal;
    private boolean completed;
    /** Set while the connection's stream waits for a message; cleared by the offer that wakes it. */
    private AsyncCallback<NotUsed> waiting;

    ClientOutbox(int maxNotices, LongAdder dropped) {
        this.maxNotices = maxNotices;
        this.dropped = dropped;
    }

    @Override
    public String id() {
        return id;
    }

    /** False only once the outbox is complete. */
    @Override
    public boolean offer(Outgoing message) {
        AsyncCallback<NotUsed> wake;
        synchronized (lock) {
            if (completed) {
                return false;
            }
            pending.add(message);
            wake = waiting;
            waiting = null;
        }
        if (wake != null) {
            wake.invoke(NotUsed.getInstance());
        }
        return true;
    }

    /**
     * The client's frames in order; materialize once. Ends after what was offered before {@link #complete()}.
     * Encoding in this stage, not in stages after it, spares each message a hop per stage of every connection.
     *
     * @param framing turns what accumulated since the last take into the protocol's frames
     * @param stopped runs once the stream stops, however it stops
     */
    <T> Source<T, NotUsed> source(Framing<T> framing, Runnable stopped) {
        return Source.fromGraph(new Stage<>(framing, stopped));
    }

    /** How a protocol frames a client's messages. */
    @FunctionalInterface
    interface Framing<T> {
        /**
         * The frames to send for {@code messages} (notices, a lagging notice, then updates, in the order to
         * send), in order; never empty for a non-empty list.
         */
        List<T> frames(List<Outgoing> messages);
    }

    void complete() {
        AsyncCallback<NotUsed> wake;
        synchronized (lock) {
            completed = true;
            wake = waiting;
            waiting = null;
        }
        if (wake != null) {
            wake.invoke(NotUsed.getInstance());
        }
    }

    /**
     * What accumulated since the last take, in the order to send; empty when nothing did (then
     * {@code wake} is invoked at the next offer), null when the outbox is complete and all was taken.
     */
    private List<Outgoing> take(AsyncCallback<NotUsed> wake) {
        synchronized (lock) {
            if (!pending.isEmpty()) {
                Pending taken = pending;
                pending = new Pending();
                supersededTotal += taken.superseded;
                return taken.drain(supersededTotal);
            }
            if (completed) {
                return null;
            }
            waiting = wake;
            return List.of();
        }
    }

    private void ended() {
        synchronized (lock) {
            completed = true;
            waiting = null;
        }
    }

    private final class Stage<T> extends GraphStage<SourceShape<T>> {
        private final Outlet<T> out = Outlet.create("ClientOutbox.out");
        private final SourceShape<T> shape = SourceShape.of(out);
        private final Framing<T> framing;
        private final Runnable stopped;

        Stage(Framing<T> framing, Runnable stopped) {
            this.framing = framing;
            this.stopped = stopped;
        }

        @Override
        public SourceShape<T> shape() {
            return shape;
        }

        @Override
        public GraphStageLogic createLogic(Attributes attributes) {
            return new GraphStageLogic(shape) {
                private Iterator<T> sending = List.<T>of().iterator();
                private AsyncCallback<NotUsed> wake;

                {
                    setHandler(out, new AbstractOutHandler() {
                        @Override
                        public void onPull() {
                            send();
                        }
                    });
                }

                @Override
                public void preStart() {
                    wake = createAsyncCallback(woken -> {
                        if (isAvailable(out)) {
                            send();
                        }
                    });
                }

                @Override
                public void postStop() {
                    ended();
                    stopped.run();
                }

                private void send() {
                    if (!sending.hasNext()) {
                        List<Outgoing> next = take(wake);
                        if (next == null) {
                            completeStage();
                            return;
                        }
                        sending = next.isEmpty() ? List.<T>of().iterator() : framing.frames(next).iterator();
                    }
                    if (sending.hasNext()) {
                        push(out, sending.next());
                    }
                }
            };
        }
    }

    /** What accumulated while the client was not reading. */
    private final class Pending {
        private final List<Outgoing> notices = new ArrayList<>();
        private final Map<String, LiveUpdate> updates = new LinkedHashMap<>();
        private long superseded;

        boolean isEmpty() {
            return notices.isEmpty() && updates.isEmpty();
        }

        void add(Outgoing message) {
            if (message instanceof Outgoing.Batch batch) {
                batch.updates().forEach(this::add);
            } else if (message instanceof LiveUpdate update) {
                if (updates.putIfAbsent(update.name(), update) != null) {
                    updates.put(update.name(), update.asSnapshot());
                    superseded++;
                    dropped.increment();
                }
            } else if (notices.size() < maxNotices) {
                notices.add(message);
            } else {
                dropped.increment();
            }
        }

        List<Outgoing> drain(long total) {
            List<Outgoing> out = new ArrayList<>(notices.size() + updates.size() + 1);
            out.addAll(notices);
            if (superseded > 0) {
                out.add(new Outgoing.Lagging(superseded, total));
            }
            out.addAll(updates.values());
            return out;
        }
    }
}
