package io.analytics.core.journey;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Session windows per user: a new session starts when a user's next event comes more than
 * {@code gapMillis} after the previous one. Events arrive in any order; sessions are cut on the
 * event-time order, so late events merge into (or bridge) the sessions they belong to.
 *
 * <p>A query asks for the sessions that start in a half-open range {@code [start, end)}. To know whether
 * an event at {@code start} begins a session, the events of the {@code gap} before it are needed, so
 * callers pass events from {@code start - gap}; sessions starting before {@code start} are left out,
 * and a session still running at {@code end} is summarised with the events before {@code end} (as an
 * analytics tool's date range cuts it).
 */
public final class Sessions {

    private Sessions() {}

    /** The sessions of one user's events (any order) that start in {@code [start, end)}. */
    public static List<Session> of(List<UserEvent> events, long gapMillis, long start, long end) {
        if (gapMillis <= 0) {
            throw new IllegalArgumentException("the inactivity gap must be positive");
        }
        List<UserEvent> ordered = new ArrayList<>(events);
        ordered.removeIf(e -> e.time() >= end);
        ordered.sort(UserEvent.EVENT_ORDER);
        List<Session> sessions = new ArrayList<>();
        int from = 0;
        for (int i = 1; i <= ordered.size(); i++) {
            if (i == ordered.size() || ordered.get(i).time() - ordered.get(i - 1).time() > gapMillis) {
                Session session = summarise(ordered.subList(from, i));
                if (session.start() >= start) {
                    sessions.add(session);
                }
                from = i;
            }
        }
        return sessions;
    }

    private static Session summarise(List<UserEvent> run) {
        int pageViews = 0;
        for (UserEvent event : run) {
            if (event.eventType().equals(UserEvent.PAGE_VIEW)) {
                pageViews++;
            }
        }
        UserEvent first = run.get(0);
        return new Session(first.userId(), first.time(), run.get(run.size() - 1).time(), run.size(), pageViews, first);
    }

    /** What a dashboard shows of a set of sessions. */
    public record Summary(long sessions, double averageDurationSeconds, double bounceRate, double pagesPerSession) {

        static Summary of(List<Session> sessions) {
            if (sessions.isEmpty()) {
                return new Summary(0, 0, 0, 0);
            }
            long duration = 0;
            long bounces = 0;
            long pages = 0;
            for (Session session : sessions) {
                duration += session.durationMillis();
                bounces += session.isBounce() ? 1 : 0;
                pages += session.pageViews();
            }
            double n = sessions.size();
            return new Summary(sessions.size(), duration / n / 1000.0, bounces / n, pages / n);
        }
    }

    /**
     * Summaries by UTC day of the session's start and by the value of {@code dimension} on its first
     * event ({@code ""}: one group, keyed null). Days without sessions are absent.
     */
    public static Map<String, TreeMap<LocalDate, Summary>> byDay(List<Session> sessions, String dimension) {
        Map<String, Map<LocalDate, List<Session>>> groups = new HashMap<>();
        for (Session session : sessions) {
            LocalDate day = Instant.ofEpochMilli(session.start()).atZone(ZoneOffset.UTC).toLocalDate();
            groups.computeIfAbsent(session.first().dimension(dimension), k -> new HashMap<>())
                    .computeIfAbsent(day, k -> new ArrayList<>()).add(session);
        }
        Map<String, TreeMap<LocalDate, Summary>> result = new HashMap<>();
        groups.forEach((key, days) -> {
            TreeMap<LocalDate, Summary> summaries = new TreeMap<>();
            days.forEach((day, list) -> summaries.put(day, Summary.of(list)));
            result.put(key, summaries);
        });
        return Collections.unmodifiableMap(result);
    }

    /** Groups events by user, for {@link #of}; events of no user never reach journeys. */
    public static Map<String, List<UserEvent>> byUser(List<UserEvent> events) {
        Map<String, List<UserEvent>> users = new HashMap<>();
        for (UserEvent event : events) {
            users.computeIfAbsent(Objects.requireNonNull(event.userId()), k -> new ArrayList<>()).add(event);
        }
        return users;
    }
}
