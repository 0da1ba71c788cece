package io.analytics.lake.batch;

import io.analytics.lake.archive.LakeLayout;
import io.analytics.lake.store.ObjectStore;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run over the archive files of a range of UTC days, one day at a time on a thread of its own,
 * with progress an operator can follow (files done of the total, events seen). One run at a time.
 */
public abstract class LakeJob implements AutoCloseable {

    /** How a run goes; {@code files} done of {@code totalFiles}. */
    public record Progress(String state, LocalDate from, LocalDate to, long totalFiles, long files, long events,
            long startedAt, long finishedAt, String error) {

        static final Progress IDLE = new Progress("idle", null, null, 0, 0, 0, 0, 0, null);

        public boolean running() {
            return state.equals("running");
        }

        Progress advanced(long moreFiles, long moreEvents) {
            return new Progress(state, from, to, totalFiles, files + moreFiles, events + moreEvents, startedAt, 0, null);
        }

        Progress finished(String outcome, long at, String failure) {
            return new Progress(outcome, from, to, totalFiles, files, events, startedAt, at, failure);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(LakeJob.class);

    protected final ObjectStore store;
    protected final Clock clock;
    private final String name;
    private final AtomicReference<Progress> progress = new AtomicReference<>(Progress.IDLE);
    private final ExecutorService worker;

    protected LakeJob(String name, ObjectStore store, Clock clock) {
        this.name = name;
        this.store = store;
        this.clock = clock;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "lake-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    public Progress progress() {
        return progress.get();
    }

    /** Starts a run over the days {@code from} to {@code to}, both included; refused while one is going. */
    public Progress start(LocalDate from, LocalDate to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to: must not be before from (" + from + ")");
        }
        Progress started = new Progress("running", from, to, 0, 0, 0, clock.millis(), 0, null);
        Progress previous = progress.getAndUpdate(p -> p.running() ? p : started);
        if (previous.running()) {
            throw new IllegalStateException("a " + name + " run for " + previous.from() + " to " + previous.to() + " is still going");
        }
        worker.execute(() -> run(from, to));
        return started;
    }

    /** Processes one day's archive files; returns how many events it handled. */
    protected abstract long processDay(LocalDate day, List<String> keys) throws Exception;

    private void run(LocalDate from, LocalDate to) {
        try {
            List<List<String>> days = new ArrayList<>();
            long total = 0;
            for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
                List<String> keys = store.list(LakeLayout.dayPrefix(day));
                days.add(keys);
                total += keys.size();
            }
            long totalFiles = total;
            progress.updateAndGet(p -> new Progress(p.state(), p.from(), p.to(), totalFiles, 0, 0, p.startedAt(), 0, null));
            LocalDate day = from;
            for (List<String> keys : days) {
                long events = processDay(day, keys);
                progress.updateAndGet(p -> p.advanced(keys.size(), events));
                day = day.plusDays(1);
            }
            progress.updateAndGet(p -> p.finished("done", clock.millis(), null));
        } catch (Exception e) {
            log.warn("{} run failed: {}", name, e.getMessage(), e);
            progress.updateAndGet(p -> p.finished("failed", clock.millis(), e.getMessage()));
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
