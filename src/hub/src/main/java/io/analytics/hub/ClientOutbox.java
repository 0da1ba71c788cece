package io.analytics.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The messages on their way to one client. The registry offers into a small bounded queue that never
 * blocks; behind it, while the client's socket pushes back, updates are conflated: a newer update of
 * a series replaces the unsent one by the snapshot of the newer value (so nothing the client needs
 * is lost, only superseded intermediate values), and the client is told it fell behind. The buffer
 * therefore holds at most one update per subscribed series plus a bounded number of notices.
 */
final class ClientOutbox implements LiveClient {

    private final String id = UUID.randomUUID().toString();
    private final BoundedSourceQueue<Outgoing> queue;
    private final Source<Outgoing, NotUsed> source;

    ClientOutbox(int queueSize, int maxNotices, LongAdder dropped, Materializer materializer) {
        Pair<BoundedSourceQueue<Outgoing>, Source<Outgoing, NotUsed>> pair =
                Source.<Outgoing>queue(queueSize).preMaterialize(materializer);
        this.queue = pair.first();
        AtomicLong total = new AtomicLong();
        this.source = pair.second()
                .conflateWithSeed(first -> new Pending(maxNotices, dropped, total).add(first), Pending::add)
                .mapConcat(Pending::drain);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean offer(Outgoing message) {
        return queue.offer(message) == QueueOfferResult.enqueued();
    }

    /** The client's messages in order; materialize once. */
    Source<Outgoing, NotUsed> source() {
        return source;
    }

    void complete() {
        queue.complete();
    }

    /** What accumulated while the client was not reading. */
    private static final class Pending {
        private final int maxNotices;
        private final LongAdder dropped;
        private final AtomicLong total;
        private final List<Outgoing> notices = new ArrayList<>();
        private final Map<String, LiveUpdate> updates = new LinkedHashMap<>();
        private long superseded;

        Pending(int maxNotices, LongAdder dropped, AtomicLong total) {
            this.maxNotices = maxNotices;
            this.dropped = dropped;
            this.total = total;
        }

        Pending add(Outgoing message) {
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
            return this;
        }

        List<Outgoing> drain() {
            List<Outgoing> out = new ArrayList<>(notices.size() + updates.size() + 1);
            out.addAll(notices);
            if (superseded > 0) {
                out.add(new Outgoing.Lagging(superseded, total.addAndGet(superseded)));
            }
            out.addAll(updates.values());
            return out;
        }
    }
}
