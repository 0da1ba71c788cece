package io.analytics.core.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class FunnelTest {

    private static final long MIN = 60_000;
    private static final List<String> STEPS = List.of("page_view", "product_view", "add_to_cart", "purchase_completed");

    private static UserEvent event(String user, long time, String type) {
        return new UserEvent(user, time, type, String.format("%s-%012d-%s", user, time, type), Map.of("country", user.substring(0, 1)));
    }

    @Test
    void stepsMustFollowInOrderWithinTheWindow() {
        Funnel funnel = new Funnel(STEPS, 60 * MIN);
        List<UserEvent> outOfOrder = List.of(event("a", 0, "page_view"), event("a", MIN, "add_to_cart"),
                event("a", 2 * MIN, "product_view"), event("a", 3 * MIN, "purchase_completed"));
        assertThat(funnel.progress(outOfOrder, 0, 60 * MIN).stepsReached()).isEqualTo(2);
        List<UserEvent> tooSlow = List.of(event("b", 0, "page_view"), event("b", MIN, "product_view"),
                event("b", 2 * MIN, "add_to_cart"), event("b", 61 * MIN, "purchase_completed"));
        assertThat(funnel.progress(tooSlow, 0, 60 * MIN).stepsReached()).isEqualTo(3);
    }

    @Test
    void aLaterEntryThatConvertsCountsAndTheFastestConversionIsTheUsersTime() {
        Funnel funnel = new Funnel(STEPS, 60 * MIN);
        List<UserEvent> events = List.of(event("a", 0, "page_view"), event("a", 70 * MIN, "page_view"),
                event("a", 75 * MIN, "product_view"), event("a", 80 * MIN, "add_to_cart"), event("a", 100 * MIN, "purchase_completed"),
                event("a", 90 * MIN, "page_view"));
        Funnel.Progress progress = funnel.progress(events, 0, 120 * MIN);
        assertThat(progress.stepsReached()).isEqualTo(4);
        assertThat(progress.entry().time()).isEqualTo(70 * MIN);
        assertThat(progress.convertMillis()).isEqualTo(30 * MIN);
    }

    @Test
    void entriesOutsideTheRangeDoNotCountButLaterStepsMayFallAfterIt() {
        Funnel funnel = new Funnel(List.of("page_view", "purchase_completed"), 60 * MIN);
        List<UserEvent> events = List.of(event("a", -MIN, "page_view"), event("a", 10 * MIN, "page_view"),
                event("a", 50 * MIN, "purchase_completed"));
        assertThat(funnel.progress(events, 0, 20 * MIN).convertMillis()).isEqualTo(40 * MIN);
        assertThat(funnel.progress(events, 20 * MIN, 60 * MIN).stepsReached()).isZero();
    }

    @Test
    void resultsPerGroupWithConversionsAndMedian() {
        Funnel funnel = new Funnel(List.of("page_view", "product_view", "purchase_completed"), 60 * MIN);
        Map<String, List<UserEvent>> users = Map.of(
                "u1", List.of(event("u1", 0, "page_view"), event("u1", MIN, "product_view"), event("u1", 2 * MIN, "purchase_completed")),
                "u2", List.of(event("u2", 0, "page_view"), event("u2", MIN, "product_view"), event("u2", 5 * MIN, "purchase_completed")),
                "u3", List.of(event("u3", 0, "page_view"), event("u3", MIN, "product_view")),
                "u4", List.of(event("u4", 0, "page_view")),
                "x5", List.of(event("x5", 0, "product_view")));
        Funnel.Result all = funnel.evaluate(users, 0, 60 * MIN, "").get(null);
        assertThat(all.usersPerStep()).containsExactly(4L, 3L, 2L);
        assertThat(all.conversion(1)).isEqualTo(0.75);
        assertThat(all.overallConversion()).isEqualTo(0.5);
        assertThat(all.medianConvertSeconds()).isEqualTo(210.0);
        assertThat(funnel.evaluate(users, 0, 60 * MIN, "country")).containsOnlyKeys("u");
    }

    @Test
    void badDefinitionsAreRefused() {
        assertThatThrownBy(() -> new Funnel(List.of("page_view"), MIN)).hasMessageContaining("at least two steps");
        assertThatThrownBy(() -> new Funnel(STEPS, 0)).hasMessageContaining("conversion_window");
    }

    /** The greedy walk against every choice of events for the steps, on small random timelines. */
    @Property(tries = 300)
    void greedyMatchesExhaustiveSearch(@ForAll @IntRange(min = 0, max = 9) int count, @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Random random = new Random(seed);
        List<String> steps = List.of("a", "b", "c");
        List<UserEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(event("u", random.nextInt(12) * 10 * MIN, steps.get(random.nextInt(3))));
        }
        Funnel funnel = new Funnel(steps, 30 * MIN);
        Funnel.Progress greedy = funnel.progress(events, 0, 100 * MIN);
        events.sort(UserEvent.EVENT_ORDER);
        long[] best = exhaustive(events, steps, 30 * MIN, 100 * MIN);
        assertThat(greedy.stepsReached()).isEqualTo((int) best[0]);
        assertThat(greedy.convertMillis()).isEqualTo(best[1]);
    }

    private static long[] exhaustive(List<UserEvent> ordered, List<String> steps, long window, long end) {
        long[] best = {0, -1};
        for (int i = 0; i < ordered.size(); i++) {
            UserEvent entry = ordered.get(i);
            if (entry.eventType().equals(steps.get(0)) && entry.time() >= 0 && entry.time() < end) {
                extend(ordered, steps, i, 1, entry.time(), entry.time() + window, best);
            }
        }
        return best;
    }

    private static void extend(List<UserEvent> ordered, List<String> steps, int at, int reached, long entry, long deadline, long[] best) {
        long converted = reached == steps.size() ? ordered.get(at).time() - entry : -1;
        if (reached > best[0] || (converted >= 0 && (best[1] < 0 || converted < best[1]))) {
            best[0] = Math.max(best[0], reached);
            if (converted >= 0) {
                best[1] = best[1] < 0 ? converted : Math.min(best[1], converted);
            }
        }
        if (reached == steps.size()) {
            return;
        }
        for (int j = at + 1; j < ordered.size() && ordered.get(j).time() <= deadline; j++) {
            if (ordered.get(j).eventType().equals(steps.get(reached))) {
                extend(ordered, steps, j, reached + 1, entry, deadline, best);
            }
        }
    }
}
