package io.analytics.ingest;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * The event ids each project had accepted over the retention period (24 hours by default), for
 * dedupe at ingest. Ids are kept as 64-bit hashes of (project, event id) in hourly buckets so that
 * expiry drops whole buckets; ten million ids take about 160 MB. A false duplicate needs two ids
 * to collide in 64 bits: about one chance in 300,000 at ten million ids.
 *
 * <p>The index lives in memory; after a restart it is rebuilt from the raw topic, which holds every
 * accepted event (see {@link AcceptedEventIdsLoader}).
 */
public final class AcceptedEventIds {

    private static final long BUCKET_MILLIS = Duration.ofHours(1).toMillis();

    private record Bucket(long start, LongOpenHashSet ids) {}

    private final long retentionMillis;
    private final Clock clock;
    private final Deque<Bucket> buckets = new ArrayDeque<>();

    public AcceptedEventIds(Duration retention, Clock clock) {
        this.retentionMillis = retention.toMillis();
        this.clock = clock;
    }

    public Duration retention() {
        return Duration.ofMillis(retentionMillis);
    }

    /**
     * Claims the ids for acceptance, in order. Returns, for each, whether it is a duplicate: accepted
     * before, or earlier in the same list. Claimed ids must be {@linkplain #release released} if they
     * end up not accepted.
     */
    public synchronized boolean[] claim(String projectId, List<String> eventIds) {
        long now = clock.millis();
        expire(now);
        Bucket current = bucketFor(now);
        boolean[] duplicate = new boolean[eventIds.size()];
        for (int i = 0; i < duplicate.length; i++) {
            long id = hash(projectId, eventIds.get(i));
            duplicate[i] = contains(id) || !current.ids().add(id);
        }
        return duplicate;
    }

    /** Gives back ids claimed for events that could not be accepted, so a retry is not taken for a duplicate. */
    public synchronized void release(String projectId, List<String> eventIds) {
        for (String eventId : eventIds) {
            long id = hash(projectId, eventId);
            for (Bucket bucket : buckets) {
                bucket.ids().remove(id);
            }
        }
    }

    /** Records an id accepted at {@code acceptedAt}, while rebuilding the index. */
    public synchronized void remember(String projectId, String eventId, long acceptedAt) {
        if (acceptedAt < clock.millis() - retentionMillis) {
            return;
        }
        bucketFor(acceptedAt).ids().add(hash(projectId, eventId));
    }

    public synchronized long size() {
        return buckets.stream().mapToLong(b -> b.ids().size()).sum();
    }

    private boolean contains(long id) {
        for (Bucket bucket : buckets) {
            if (bucket.ids().contains(id)) {
                return true;
            }
        }
        return false;
    }

    private Bucket bucketFor(long time) {
        long start = Math.floorDiv(time, BUCKET_MILLIS) * BUCKET_MILLIS;
        for (Bucket bucket : buckets) {
            if (bucket.start() == start) {
                return bucket;
            }
        }
        Bucket bucket = new Bucket(start, new LongOpenHashSet());
        buckets.addFirst(bucket);
        return bucket;
    }

    private void expire(long now) {
        long oldestKept = Math.floorDiv(now - retentionMillis, BUCKET_MILLIS) * BUCKET_MILLIS;
        for (Iterator<Bucket> it = buckets.iterator(); it.hasNext(); ) {
            if (it.next().start() < oldestKept) {
                it.remove();
            }
        }
    }

    static long hash(String projectId, String eventId) {
        byte[] key = (projectId + '\u0000' + eventId).getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash(key, 0x5eed)[0];
    }
}
