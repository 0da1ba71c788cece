package io.analytics.core.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SessionsTest {

    private static final long MIN = 60_000;
    private static final long GAP = 30 * MIN;
    private static final long DAY = 24 * 60 * MIN;

    private static UserEvent event(String user, long time, String type, String country) {
        return new UserEvent(user, time, type, user + "@" + time + "/" + type, country == null ? Map.of() : Map.of("country", country));
    }

    @Test
    void aGapLongerThanTheInactivityGapStartsANewSession() {
        List<UserEvent> events = List.of(
                event("u", 0, "page_view", "DE"), event("u", 10 * MIN, "product_view", "US"),
                event("u", 40 * MIN, "page_view", null), event("u", 70 * MIN + 1, "page_view", "FR"));
        List<Session> sessions = Sessions.of(events, GAP, 0, DAY);
        assertThat(sessions).hasSize(2);
        assertThat(sessions.get(0).events()).isEqualTo(3);
        assertThat(sessions.get(0).pageViews()).isEqualTo(2);
        assertThat(sessions.get(0).durationMillis()).isEqualTo(40 * MIN);
        assertThat(sessions.get(0).first().dimension("country")).isEqualTo("DE");
        assertThat(sessions.get(1).isBounce()).isTrue();
    }

    @Test
    void aLateEventBridgesTwoSessionsIntoOne() {
        List<UserEvent> early = List.of(event("u", 0, "page_view", null), event("u", 50 * MIN, "page_view", null));
        assertThat(Sessions.of(early, GAP, 0, DAY)).hasSize(2);
        List<UserEvent> withLate = new ArrayList<>(early);
        withLate.add(event("u", 25 * MIN, "add_to_cart", null));
        assertThat(Sessions.of(withLate, GAP, 0, DAY)).singleElement()
                .satisfies(s -> assertThat(s.events()).isEqualTo(3));
    }

    @Test
    void sessionsStartingBeforeTheRangeAreLeftOutAndTheEndCutsTheLastOne() {
        List<UserEvent> events = List.of(event("u", -20 * MIN, "page_view", null), event("u", 5 * MIN, "page_view", null),
                event("u", 2 * DAY, "page_view", null), event("u", 2 * DAY + 10 * MIN, "page_view", null));
        assertThat(Sessions.of(events, GAP, 0, 2 * DAY + 5 * MIN)).singleElement()
                .satisfies(s -> {
                    assertThat(s.start()).isEqualTo(2 * DAY);
                    assertThat(s.events()).isEqualTo(1);
                });
    }

    @Test
    void summariesByDayAndDimension() {
        List<Session> sessions = new ArrayList<>();
        sessions.addAll(Sessions.of(List.of(event("a", 0, "page_view", "DE"), event("a", 10 * MIN, "page_view", "DE")), GAP, 0, 3 * DAY));
        sessions.addAll(Sessions.of(List.of(event("b", MIN, "page_view", "DE")), GAP, 0, 3 * DAY));
        sessions.addAll(Sessions.of(List.of(event("c", DAY + MIN, "product_view", "US")), GAP, 0, 3 * DAY));
        Map<String, TreeMap<LocalDate, Sessions.Summary>> byCountry = Sessions.byDay(sessions, "country");
        Sessions.Summary de = byCountry.get("DE").get(LocalDate.of(1970, 1, 1));
        assertThat(de.sessions()).isEqualTo(2);
        assertThat(de.averageDurationSeconds()).isCloseTo(300.0, within(1e-9));
        assertThat(de.bounceRate()).isCloseTo(0.5, within(1e-9));
        assertThat(de.pagesPerSession()).isCloseTo(1.5, within(1e-9));
        assertThat(byCountry.get("US").firstKey()).isEqualTo(LocalDate.of(1970, 1, 2));
        assertThat(byCountry.get("US").get(LocalDate.of(1970, 1, 2)).bounceRate()).isZero();
        assertThat(Sessions.byDay(sessions, "").keySet()).containsExactly((String) null);
    }

    @Property(tries = 300)
    void sessionsPartitionTheEventsWhateverTheirOrder(@ForAll @IntRange(min = 1, max = 60) int count,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Random random = new Random(seed);
        List<UserEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(event("u", random.nextInt(6 * 60) * MIN + random.nextInt(3), random.nextBoolean() ? "page_view" : "click", null));
        }
        List<Session> sessions = Sessions.of(events, GAP, Long.MIN_VALUE, Long.MAX_VALUE);
        Collections.shuffle(events, random);
        assertThat(Sessions.of(events, GAP, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(sessions);
        assertThat(sessions.stream().mapToInt(Session::events).sum()).isEqualTo(count);
        for (int i = 1; i < sessions.size(); i++) {
            assertThat(sessions.get(i).start() - sessions.get(i - 1).end()).isGreaterThan(GAP);
        }
        List<UserEvent> ordered = new ArrayList<>(events);
        ordered.sort(UserEvent.EVENT_ORDER);
        for (Session session : sessions) {
            List<Long> inside = ordered.stream().map(UserEvent::time).filter(t -> t >= session.start() && t <= session.end()).toList();
            assertThat(inside).hasSize(session.events());
            for (int i = 1; i < inside.size(); i++) {
                assertThat(inside.get(i) - inside.get(i - 1)).isLessThanOrEqualTo(GAP);
            }
        }
    }
}
