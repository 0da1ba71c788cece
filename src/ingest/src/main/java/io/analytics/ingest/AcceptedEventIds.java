package io.analytics.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.datasketches.hash.MurmurHash3;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event ids each project had accepted over the retention period (24 hours by default), for
 * dedupe at ingest. Ids are kept as 64-bit hashes of (project, event id) in hourly buckets so that
 * expiry drops whole buckets. The current hour's bucket is a hash set (about 18 bytes an id); a past
 * hour's is sealed into a sorted array (about 8 bytes an id), so a hundred million ids take about
 * 800 MB. A false duplicate needs two ids to collide in 64 bits: about one chance in 3,700 at a
 * hundred million ids.
 *
 * <p>The index holds at most {@code maxIds}: beyond that it drops its oldest hours before their
 * retention is over, so a rate too high for the budget shortens the dedupe window instead of
 * exhausting the heap.
 *
 * <p>A past hour is sealed once, when the next begins, and again at later hours if it changed since:
 * the merge (1.3 to 2.8 s for the 14 million ids of an hour at 4,000 events/s) runs on a sealing
 * thread, not under the lock that claims take, which only sets the hour's changes aside and later
 * swaps the merged ids in. Meanwhile lookups consult the changes set aside, so a claim during a seal
 * sees every id as before.
 *
 * <p>The index lives in memory; after a restart it is rebuilt from the raw topic, which holds every
 * accepted event (see {@link AcceptedEventIdsLoader}).
 */
public final class AcceptedEventIds {

    private static final Logger log = LoggerFactory.getLogger(AcceptedEventIds.class);
    private static final long BUCKET_MILLIS = Duration.ofHours(1).toMillis();

    private final long retentionMillis;
    private final long maxIds;
    private final Clock clock;
    private final Executor sealer;
    /** Newest first. */
    private final List<HourOfIds> hours = new ArrayList<>();
    private long size;
    private long housekeptHour = Long.MIN_VALUE;
    private boolean warnedOverBudget;

    public AcceptedEventIds(Duration retention, long maxIds, Clock clock) {
        this(retention, maxIds, clock, sealingThread());
    }

    /**
     * {@code sealer} runs the merges of past hours into their sorted ids. One that runs them on the
     * calling thread, as tests and benchmarks may for determinism, holds the lock through them again.
     */
    public AcceptedEventIds(Duration retention, long maxIds, Clock clock, Executor sealer) {
        if (maxIds < 1) {
            throw new IllegalArgumentException("the dedupe index needs room for at least one id, not " + maxIds);
        }
        this.retentionMillis = retention.toMillis();
        this.maxIds = maxIds;
        this.clock = clock;
        this.sealer = sealer;
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
        HourOfIds current = hourOf(now, now);
        if (housekeptHour != current.start()) {
            housekeep(now);
        }
        long[] ids = new long[eventIds.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = hash(projectId, eventIds.get(i));
        }
        boolean[] duplicate = new boolean[ids.length];
        for (HourOfIds hour : hours) {
            if (hour != current) {
                markHeld(hour, ids, duplicate);
            }
        }
        for (int i = 0; i < ids.length; i++) {
            duplicate[i] = duplicate[i] || !add(current, ids[i]);
        }
        keepWithinBudget();
        return duplicate;
    }

    /** Gives back ids claimed for events that could not be accepted, so a retry is not taken for a duplicate. */
    public synchronized void release(String projectId, List<String> eventIds) {
        for (String eventId : eventIds) {
            long id = hash(projectId, eventId);
            for (HourOfIds hour : hours) {
                if (hour.remove(id)) {
                    size--;
                }
            }
        }
    }

    /** Records an id accepted at {@code acceptedAt}, while rebuilding the index. */
    public synchronized void remember(String projectId, String eventId, long acceptedAt) {
        long now = clock.millis();
        if (acceptedAt < now - retentionMillis) {
            return;
        }
        add(hourOf(acceptedAt, now), hash(projectId, eventId));
        keepWithinBudget();
    }

    /** The ids held. */
    public synchronized long size() {
        return size;
    }

    /** An estimate of the heap the ids take. */
    public synchronized long bytes() {
        return hours.stream().mapToLong(HourOfIds::bytes).sum();
    }

    /** How far back the index reaches: the age of its oldest hour, less than the retention once the budget binds. */
    public synchronized Duration effectiveRetention() {
        return hours.isEmpty() ? Duration.ZERO : Duration.ofMillis(clock.millis() - hours.get(hours.size() - 1).start());
    }

    /** Registers the index's size, heap and effective retention as gauges. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("analytics.dedupe.ids", this, AcceptedEventIds::size)
                .description("event ids held by the ingest dedupe index").register(registry);
        Gauge.builder("analytics.dedupe.bytes", this, AcceptedEventIds::bytes)
                .description("estimated heap of the ingest dedupe index").baseUnit("bytes").register(registry);
        Gauge.builder("analytics.dedupe.retention", this, ids -> ids.effectiveRetention().toMillis() / 1000.0)
                .description("age of the oldest ids the ingest dedupe index holds").baseUnit("seconds").register(registry);
    }

    /**
     * One hour at a time for the whole batch, rather than one id at a time through every hour: the
     * lookups of a batch in one hour do not depend on each other, so the processor overlaps their
     * cache misses.
     */
    private static void markHeld(HourOfIds hour, long[] ids, boolean[] held) {
        for (int i = 0; i < ids.length; i++) {
            held[i] = held[i] || hour.contains(ids[i]);
        }
    }

    private boolean add(HourOfIds hour, long id) {
        if (!hour.add(id)) {
            return false;
        }
        size++;
        return true;
    }

    private HourOfIds hourOf(long time, long now) {
        long start = Math.floorDiv(time, BUCKET_MILLIS) * BUCKET_MILLIS;
        int i = 0;
        while (i < hours.size() && hours.get(i).start() > start) {
            i++;
        }
        if (i < hours.size() && hours.get(i).start() == start) {
            return hours.get(i);
        }
        HourOfIds hour = new HourOfIds(start);
        hours.add(i, hour);
        housekeep(now);
        return hour;
    }

    /** Drops the hours past the retention and seals all but the newest, which is still being filled. */
    private void housekeep(long now) {
        long oldestKept = Math.floorDiv(now - retentionMillis, BUCKET_MILLIS) * BUCKET_MILLIS;
        while (!hours.isEmpty() && hours.get(hours.size() - 1).start() < oldestKept) {
            dropOldest();
        }
        for (int i = 1; i < hours.size(); i++) {
            startSeal(hours.get(i));
        }
        housekeptHour = Math.floorDiv(now, BUCKET_MILLIS) * BUCKET_MILLIS;
    }

    /** Merges the hour's changes off the lock; an hour dropped meanwhile takes its merge with it, unread. */
    private void startSeal(HourOfIds hour) {
        HourOfIds.Seal seal = hour.startSeal();
        if (seal != null) {
            sealer.execute(() -> {
                SortedIds merged = seal.merge();
                synchronized (this) {
                    hour.finishSeal(merged);
                }
            });
        }
    }

    /**
     * One thread, started for a seal and ended a minute after the last: seals come once an hour, and
     * one at a time keeps at most one merged copy of an hour in memory beside the ids it replaces.
     */
    private static Executor sealingThread() {
        return new ThreadPoolExecutor(0, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "dedupe-sealer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The newest hour is kept whatever its size: without it, ingest would not dedupe at all. */
    private void keepWithinBudget() {
        if (size <= maxIds || hours.size() < 2) {
            return;
        }
        if (!warnedOverBudget) {
            warnedOverBudget = true;
            log.warn("Dedupe index holds {} ids, over its budget of {} (analytics.ingest.dedupe-max-ids): dropping "
                    + "its oldest hours before their retention of {} ends; ids older than the gauge "
                    + "analytics.dedupe.retention are no longer detected as duplicates", size, maxIds, retention());
        }
        while (size > maxIds && hours.size() > 1) {
            dropOldest();
        }
    }

    private void dropOldest() {
        size -= hours.remove(hours.size() - 1).size();
    }

    static long hash(String projectId, String eventId) {
        byte[] key = (projectId + '\u0000' + eventId).getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash(key, 0x5eed)[0];
    }
}
