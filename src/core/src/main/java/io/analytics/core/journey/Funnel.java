package io.analytics.core.journey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ordered funnel: a user enters with an event of the first step in {@code [start, end)} and reaches
 * step k when events of steps 2..k follow in that order, each no earlier than the one before, all within
 * the conversion window of the entry. Later steps may fall after {@code end} (within the window), so
 * callers pass events up to {@code end + window}.
 *
 * <p>Of a user's entries, the one that gets furthest counts; among entries that complete the funnel,
 * the fastest gives the user's time to convert. From a given entry, taking the earliest next step each
 * time is optimal: any later choice leaves less of the window for the steps after it.
 */
public final class Funnel {

    private final List<String> steps;
    private final long windowMillis;

    public Funnel(List<String> steps, long windowMillis) {
        if (steps.size() < 2) {
            throw new IllegalArgumentException("steps: a funnel needs at least two steps");
        }
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("conversion_window: must be positive");
        }
        this.steps = List.copyOf(steps);
        this.windowMillis = windowMillis;
    }

    public List<String> steps() {
        return steps;
    }

    public long windowMillis() {
        return windowMillis;
    }

    /** How far one user got: the number of steps reached (0: never entered), and the fastest full conversion. */
    public record Progress(int stepsReached, long convertMillis, UserEvent entry) {
        public boolean converted(int stepCount) {
            return stepsReached == stepCount;
        }
    }

    /** One user's progress, from their events in any order. */
    public Progress progress(List<UserEvent> events, long start, long end) {
        List<UserEvent> ordered = new ArrayList<>(events);
        ordered.sort(UserEvent.EVENT_ORDER);
        Progress best = new Progress(0, -1, null);
        for (int i = 0; i < ordered.size(); i++) {
            UserEvent entry = ordered.get(i);
            if (!entry.eventType().equals(steps.get(0)) || entry.time() < start || entry.time() >= end) {
                continue;
            }
            Progress attempt = follow(ordered, i);
            if (better(attempt, best)) {
                best = attempt;
            }
        }
        return best;
    }

    private Progress follow(List<UserEvent> ordered, int entryIndex) {
        UserEvent entry = ordered.get(entryIndex);
        long deadline = entry.time() + windowMillis;
        int reached = 1;
        long last = entry.time();
        for (int i = entryIndex + 1; i < ordered.size() && reached < steps.size(); i++) {
            UserEvent next = ordered.get(i);
            if (next.time() > deadline) {
                break;
            }
            if (next.eventType().equals(steps.get(reached))) {
                reached++;
                last = next.time();
            }
        }
        return new Progress(reached, reached == steps.size() ? last - entry.time() : -1, entry);
    }

    private boolean better(Progress candidate, Progress best) {
        if (candidate.stepsReached() != best.stepsReached()) {
            return candidate.stepsReached() > best.stepsReached();
        }
        return candidate.converted(steps.size()) && candidate.convertMillis() < best.convertMillis();
    }

    /** Users per step, conversions, and the median time to convert of one group of users. */
    public record Result(List<Long> usersPerStep, Double medianConvertSeconds) {

        public double conversion(int step) {
            long previous = step == 0 ? usersPerStep.get(0) : usersPerStep.get(step - 1);
            return previous == 0 ? 0 : (double) usersPerStep.get(step) / previous;
        }

        public double overallConversion() {
            long entered = usersPerStep.get(0);
            return entered == 0 ? 0 : (double) usersPerStep.get(usersPerStep.size() - 1) / entered;
        }
    }

    /**
     * The funnel over users' events (grouped by user), by the value of {@code dimension} on each user's
     * counted entry ({@code ""}: one group, keyed null). Users who never entered are in no group.
     */
    public Map<String, Result> evaluate(Map<String, List<UserEvent>> eventsByUser, long start, long end, String dimension) {
        Map<String, List<Progress>> groups = new HashMap<>();
        for (List<UserEvent> events : eventsByUser.values()) {
            Progress progress = progress(events, start, end);
            if (progress.stepsReached() > 0) {
                groups.computeIfAbsent(progress.entry().dimension(dimension), k -> new ArrayList<>()).add(progress);
            }
        }
        Map<String, Result> results = new HashMap<>();
        groups.forEach((key, progresses) -> results.put(key, result(progresses)));
        return results;
    }

    private Result result(List<Progress> progresses) {
        long[] users = new long[steps.size()];
        List<Long> times = new ArrayList<>();
        for (Progress progress : progresses) {
            for (int step = 0; step < progress.stepsReached(); step++) {
                users[step]++;
            }
            if (progress.converted(steps.size())) {
                times.add(progress.convertMillis());
            }
        }
        List<Long> perStep = new ArrayList<>(steps.size());
        for (long count : users) {
            perStep.add(count);
        }
        return new Result(perStep, median(times));
    }

    private static Double median(List<Long> millis) {
        if (millis.isEmpty()) {
            return null;
        }
        millis.sort(null);
        int mid = millis.size() / 2;
        double median = millis.size() % 2 == 1 ? millis.get(mid) : (millis.get(mid - 1) + millis.get(mid)) / 2.0;
        return median / 1000.0;
    }
}
