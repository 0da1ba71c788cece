package io.analytics.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * expiry drops whole buckets. A false duplicate needs two ids to collide in 64 bits: about one chance
 * in 3,700 at a hundred million ids.
 *
 * <p>The bulk of the ids lives in memory-mapped files in the dedupe directory (8 bytes an id of disk
 * and page cache), not on the heap: 24 hours at a production rate are tens of gigabytes, and a heap that
 * grew with them could not stay flat. Every minute each hour that changed is sealed into its file, the
 * current one included, so the heap holds about a minute of new ids in hash sets (18 to 32 bytes an
 * id) beside each file's small directory. A rebuild reads far faster than claims arrive, so it also
 * seals every 4 million ids.
 *
 * <p>The index holds at most {@code maxIds}: beyond that it drops its oldest hours before their
 * retention is over, so a rate too high for the disk budget shortens the dedupe window instead of
 * filling the disk.
 *
 * <p>A seal rewrites the hour's file in one sequential pass (2.1 s for a whole hour of 14.4 million ids
 * at 4,000 events/s set aside at once; a minute's seal sorts a sixtieth of that) on a sealing thread,
 * not under the lock that claims take, which only sets the hour's changes aside and later swaps the
 * new file in. Meanwhile lookups consult the changes set aside, so a claim during a seal sees every id
 * as before. A seal that fails (a full disk) keeps the hour's previous file and its changes on the
 * heap, and the next minute tries again.
 *
 * <p>After a restart the index is rebuilt from the raw topic, which holds every accepted event (see
 * {@link AcceptedEventIdsLoader}), so the files are only ever read by the node that wrote them.
 */
public final class AcceptedEventIds {

    private static final Logger log = LoggerFactory.getLogger(AcceptedEventIds.class);
    private static final long BUCKET_MILLIS = Duration.ofHours(1).toMillis();
    private static final long SEAL_EVERY_MILLIS = Duration.ofMinutes(1).toMillis();
    private static final int REMEMBERED_IDS_PER_SEAL = 1 << 22;

    private final long retentionMillis;
    private final long maxIds;
    private final Clock clock;
    private final IdFiles files;
    private final Executor sealer;
    /** Newest first. */
    private final List<HourOfIds> hours = new ArrayList<>();
    private long size;
    private long housekeptMinute = Long.MIN_VALUE;
    private long rememberedSinceSeal;
    private boolean warnedOverBudget;

    /** {@code directory}: where the sealed ids are kept; whatever ids an earlier run left there are deleted. */
    public AcceptedEventIds(Duration retention, long maxIds, Clock clock, Path directory) {
        this(retention, maxIds, clock, directory, sealingThread());
    }

    /**
     * {@code sealer} runs the merges of hours into their files. One that runs them on the calling
     * thread, as tests and benchmarks may for determinism, holds the lock through them again.
     */
    public AcceptedEventIds(Duration retention, long maxIds, Clock clock, Path directory, Executor sealer) {
        this(retention, maxIds, clock, new IdFiles(directory), sealer);
    }

    AcceptedEventIds(Duration retention, long maxIds, Clock clock, IdFiles files, Executor sealer) {
        if (maxIds < 1) {
            throw new IllegalArgumentException("the dedupe index needs room for at least one id, not " + maxIds);
        }
        this.retentionMillis = retention.toMillis();
        this.maxIds = maxIds;
        this.clock = clock;
        this.files = files;
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
        if (housekeptMinute != minuteOf(now)) {
            housekeep(now);
        }
        long[] ids = new long[eventIds.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = hash(projectId, eventIds.get(i));
        }
        boolean[] duplicate = new boolean[ids.length];
        // One hour at a time for the whole batch, rather than one id at a time through every hour: the
        // lookups of a batch in one hour do not depend on each other, so the processor overlaps their
        // cache misses.
        for (HourOfIds hour : hours) {
            if (hour != current) {
                hour.markHeld(ids, duplicate);
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
        if (add(hourOf(acceptedAt, now), hash(projectId, eventId)) && ++rememberedSinceSeal >= REMEMBERED_IDS_PER_SEAL) {
            housekeep(now);
        }
        keepWithinBudget();
    }

    /** The ids held. */
    public synchronized long size() {
        return size;
    }

    /** An estimate of the heap the index takes: the ids not yet sealed and the directories of the files. */
    public synchronized long bytes() {
        return hours.stream().mapToLong(HourOfIds::bytes).sum();
    }

    /** The bytes of the files the sealed ids are in. */
    public synchronized long fileBytes() {
        return hours.stream().mapToLong(HourOfIds::fileBytes).sum();
    }

    /** How far back the index reaches: the age of its oldest hour, less than the retention once the budget binds. */
    public synchronized Duration effectiveRetention() {
        return hours.isEmpty() ? Duration.ZERO : Duration.ofMillis(clock.millis() - hours.get(hours.size() - 1).start());
    }

    /** Registers the index's size, heap, files and effective retention as gauges. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("analytics.dedupe.ids", this, AcceptedEventIds::size)
                .description("event ids held by the ingest dedupe index").register(registry);
        Gauge.builder("analytics.dedupe.bytes", this, AcceptedEventIds::bytes)
                .description("estimated heap of the ingest dedupe index").baseUnit("bytes").register(registry);
        Gauge.builder("analytics.dedupe.file.bytes", this, AcceptedEventIds::fileBytes)
                .description("bytes of the ingest dedupe index's memory-mapped files").baseUnit("bytes").register(registry);
        Gauge.builder("analytics.dedupe.retention", this, ids -> ids.effectiveRetention().toMillis() / 1000.0)
                .description("age of the oldest ids the ingest dedupe index holds").baseUnit("seconds").register(registry);
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
        HourOfIds hour = new HourOfIds(start, files);
        hours.add(i, hour);
        housekeep(now);
        return hour;
    }

    /** Drops the hours past the retention and seals those that changed, the current one included. */
    private void housekeep(long now) {
        long oldestKept = Math.floorDiv(now - retentionMillis, BUCKET_MILLIS) * BUCKET_MILLIS;
        while (!hours.isEmpty() && hours.get(hours.size() - 1).start() < oldestKept) {
            dropOldest();
        }
        hours.forEach(this::startSeal);
        housekeptMinute = minuteOf(now);
        rememberedSinceSeal = 0;
    }

    private static long minuteOf(long time) {
        return Math.floorDiv(time, SEAL_EVERY_MILLIS);
    }

    /** Merges the hour's changes off the lock; an hour dropped meanwhile deletes the merged file unread. */
    private void startSeal(HourOfIds hour) {
        HourOfIds.Seal seal = hour.startSeal();
        if (seal != null) {
            sealer.execute(() -> seal(hour, seal));
        }
    }

    private void seal(HourOfIds hour, HourOfIds.Seal seal) {
        SortedIds merged;
        try {
            merged = seal.merge();
        } catch (IOException | RuntimeException e) {
            log.error("Could not seal the dedupe index's hour starting {} into {}: its previous file stays and its "
                    + "new ids stay on the heap until the next seal", Instant.ofEpochMilli(hour.start()), seal.file(), e);
            synchronized (this) {
                hour.abandonSeal();
            }
            return;
        }
        synchronized (this) {
            hour.finishSeal(merged);
        }
    }

    /**
     * One thread, started for a seal and ended a minute after the last: one seal at a time keeps the
     * sequential writes from competing for the disk, and at most one merge's sorted ids on the heap.
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
        HourOfIds oldest = hours.remove(hours.size() - 1);
        size -= oldest.size();
        oldest.drop();
    }

    static long hash(String projectId, String eventId) {
        byte[] key = (projectId + '\u0000' + eventId).getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash(key, 0x5eed)[0];
    }
}
