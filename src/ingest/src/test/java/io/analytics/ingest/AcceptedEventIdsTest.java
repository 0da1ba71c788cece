package io.analytics.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptedEventIdsTest {

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Holds the index's seals until the test runs them, so that a test claims while one is under way. */
    static final class PendingSeals implements Executor {
        private final Deque<Runnable> pending = new ArrayDeque<>();

        @Override
        public void execute(Runnable seal) {
            pending.add(seal);
        }

        int runAll() {
            int ran = 0;
            for (Runnable seal; (seal = pending.poll()) != null; ran++) {
                seal.run();
            }
            return ran;
        }
    }

    private static final Duration RETENTION = Duration.ofHours(24);
    private static final long MAX_IDS = 1_000_000;
    private static final Instant START = Instant.parse("2026-02-16T10:30:00Z");

    @TempDir
    Path dir;

    private MutableClock clock;
    private PendingSeals seals;
    private AcceptedEventIds ids;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(START);
        seals = new PendingSeals();
        ids = new AcceptedEventIds(RETENTION, MAX_IDS, clock, dir, seals);
    }

    private static boolean[] flags(boolean... values) {
        return values;
    }

    @Test
    void firstSightIsNotADuplicate() {
        assertThat(ids.claim("p", List.of("a", "b", "c"))).containsExactly(false, false, false);
        assertThat(ids.size()).isEqualTo(3);
        assertThat(ids.retention()).isEqualTo(RETENTION);
    }

    @Test
    void duplicateWithinOneClaimList() {
        assertThat(ids.claim("p", List.of("a", "b", "a", "a", "c", "b"))).containsExactly(false, false, true, true, false, true);
        assertThat(ids.size()).isEqualTo(3);
    }

    @Test
    void duplicateAcrossClaims() {
        ids.claim("p", List.of("a", "b"));
        assertThat(ids.claim("p", List.of("c", "a"))).containsExactly(false, true);
        clock.advance(Duration.ofHours(5));
        assertThat(ids.claim("p", List.of("b", "c", "d"))).containsExactly(true, true, false);
    }

    @Test
    void emptyClaim() {
        assertThat(ids.claim("p", List.of())).isEmpty();
    }

    @Test
    void projectsAreSeparate() {
        ids.claim("p1", List.of("evt_1"));
        assertThat(ids.claim("p2", List.of("evt_1"))).containsExactly(false);
        assertThat(ids.claim("p1", List.of("evt_1"))).containsExactly(true);
        assertThat(ids.claim("p2", List.of("evt_1"))).containsExactly(true);
    }

    @Test
    void projectAndIdBoundaryIsNotAmbiguous() {
        ids.claim("ab", List.of("c"));
        assertThat(ids.claim("a", List.of("bc"))).containsExactly(false);
    }

    @Test
    void releaseMakesAnIdClaimableAgain() {
        ids.claim("p", List.of("a", "b"));
        ids.release("p", List.of("a"));
        assertThat(ids.claim("p", List.of("a", "b"))).containsExactly(false, true);
        assertThat(ids.claim("p", List.of("a"))).containsExactly(true);
    }

    @Test
    void releaseOfAnotherProjectLeavesIdsAlone() {
        ids.claim("p1", List.of("a"));
        ids.release("p2", List.of("a"));
        assertThat(ids.claim("p1", List.of("a"))).containsExactly(true);
    }

    @Test
    void releaseWorksForIdsClaimedInAnEarlierHour() {
        ids.claim("p", List.of("a"));
        clock.advance(Duration.ofHours(3));
        ids.release("p", List.of("a"));
        assertThat(ids.claim("p", List.of("a"))).containsExactly(false);
    }

    @Test
    void idsAreKeptForTheWholeRetention() {
        ids.claim("p", List.of("a"));
        clock.set(START.plus(RETENTION).minusMillis(1));
        assertThat(ids.claim("p", List.of("a"))).containsExactly(true);
    }

    @Test
    void idsExpireAfterTheRetention() {
        ids.claim("p", List.of("a", "b"));
        clock.advance(Duration.ofHours(2));
        ids.claim("p", List.of("late"));
        // expiry is by hourly bucket: an id is surely gone one bucket after the retention
        clock.set(START.plus(RETENTION).plus(Duration.ofHours(1)).plusMillis(1));
        assertThat(ids.claim("p", List.of("a"))).containsExactly(false);
        // "late" was accepted two hours later and is still within its retention
        assertThat(ids.claim("p", List.of("late"))).containsExactly(true);
        // "b" expired with "a"; the index shrank: "late" and the re-claimed "a" remain, "b" was dropped
        assertThat(ids.size()).isEqualTo(2);
        assertThat(ids.claim("p", List.of("b"))).containsExactly(false);
    }

    @Test
    void memoryStaysBoundedOverManyHours() {
        for (int hour = 0; hour < 24 * 5; hour++) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batch.add("h" + hour + "_" + i);
            }
            assertThat(ids.claim("p", batch)).doesNotContain(true);
            clock.advance(Duration.ofHours(1));
        }
        // at most retention + one bucket of hours are held
        assertThat(ids.size()).isBetween(24L * 10, 26L * 10);
    }

    @Test
    void rememberedIdsAreDuplicates() {
        ids.remember("p", "old_1", START.minus(Duration.ofHours(2)).toEpochMilli());
        ids.remember("p", "old_2", START.minus(Duration.ofHours(23)).plusSeconds(60).toEpochMilli());
        ids.remember("p", "same_hour", START.toEpochMilli());
        assertThat(ids.claim("p", List.of("old_1", "old_2", "same_hour", "new"))).containsExactly(true, true, true, false);
        assertThat(ids.claim("other", List.of("old_1"))).containsExactly(false);
    }

    @Test
    void rememberIgnoresIdsOlderThanTheRetention() {
        ids.remember("p", "ancient", START.minus(RETENTION).minus(Duration.ofMinutes(1)).toEpochMilli());
        assertThat(ids.claim("p", List.of("ancient"))).containsExactly(false);
    }

    @Test
    void rememberedIdsExpireByTheirAcceptanceTime() {
        ids.remember("p", "x", START.minus(Duration.ofHours(23)).toEpochMilli());
        assertThat(ids.claim("p", List.of("x"))).containsExactly(true);
        clock.advance(Duration.ofHours(2).plusMinutes(1)); // x is now 25h01m old
        assertThat(ids.claim("p", List.of("x"))).containsExactly(false);
    }
    @Test
    void sealedHoursStillDetectDuplicates() {
        List<String> early = ids("early", 1_000);
        ids.claim("p", early);
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("next hour"));
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("two hours on"));
        assertThat(seals.runAll()).isEqualTo(2); // the first hour's, started when the second began, and the second's
        assertThat(ids.claim("p", early)).doesNotContain(false);
        assertThat(ids.claim("p", ids("fresh", 1_000))).doesNotContain(true);
        assertThat(ids.size()).isEqualTo(2_002);
    }

    @Test
    void sealingMakesAnHourCompact() {
        ids.claim("p", ids("e", 10_000));
        long open = ids.bytes();
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of());
        assertThat(ids.bytes()).as("the claim leaves the seal to the sealer").isGreaterThan(open);
        assertThat(seals.runAll()).isEqualTo(1);
        // 8 bytes an id and the directory, against a hash table at load factor 0.75 grown in doublings
        assertThat(ids.bytes()).isLessThan(9L * 10_000).isLessThan(open * 2 / 3);
    }

    @Test
    void releaseWorksInASealedHour() {
        ids.claim("p", List.of("a", "b"));
        clock.advance(Duration.ofHours(2));
        ids.claim("p", List.of("now"));
        seals.runAll();
        ids.release("p", List.of("a"));
        assertThat(ids.size()).isEqualTo(2);
        assertThat(ids.claim("p", List.of("a", "b"))).containsExactly(false, true);
        assertThat(ids.claim("p", List.of("a"))).containsExactly(true);
        assertThat(ids.size()).isEqualTo(3);
    }

    @Test
    void releaseInASealedHourSurvivesItsNextSeal() {
        ids.remember("p", "a", START.minus(Duration.ofHours(3)).toEpochMilli());
        ids.remember("p", "b", START.minus(Duration.ofHours(3)).toEpochMilli());
        ids.claim("p", List.of("now"));
        assertThat(seals.runAll()).isEqualTo(1); // the hour of "a" and "b"
        ids.release("p", List.of("a"));
        ids.remember("p", "late", START.minus(Duration.ofHours(3)).toEpochMilli());
        clock.advance(Duration.ofHours(1)); // the next claim seals the release and the late id into the hour
        assertThat(ids.claim("p", List.of("a", "b", "late"))).containsExactly(false, true, true);
        assertThat(seals.runAll()).isEqualTo(2);
        assertThat(ids.claim("p", List.of("a", "b", "late"))).containsExactly(true, true, true);
        assertThat(ids.size()).isEqualTo(4);
    }

    @Test
    void rememberingIntoASealedHourIsKept() {
        long threeHoursAgo = START.minus(Duration.ofHours(3)).toEpochMilli();
        ids.remember("p", "x", threeHoursAgo);
        ids.remember("p", "y", START.toEpochMilli()); // a newer hour seals the older one
        ids.remember("p", "z", threeHoursAgo); // a lagging partition's record of the sealed hour
        ids.remember("p", "x", threeHoursAgo);
        assertThat(ids.size()).isEqualTo(3);
        assertThat(ids.claim("p", List.of("x", "y", "z"))).containsExactly(true, true, true);
        seals.runAll();
        assertThat(ids.claim("p", List.of("x", "y", "z"))).containsExactly(true, true, true);
        assertThat(ids.size()).isEqualTo(3);
    }

    @Test
    void theBudgetDropsTheOldestHourFirst() {
        ids = new AcceptedEventIds(RETENTION, 25, clock, dir, Runnable::run);
        ids.claim("p", ids("h0_", 10));
        clock.advance(Duration.ofHours(1));
        ids.claim("p", ids("h1_", 10));
        clock.advance(Duration.ofHours(1));
        assertThat(ids.effectiveRetention()).isEqualTo(Duration.ofHours(2).plusMinutes(30));
        ids.claim("p", ids("h2_", 10)); // 30 ids: over the budget, the first hour goes
        assertThat(ids.size()).isEqualTo(20);
        assertThat(ids.effectiveRetention()).isEqualTo(Duration.ofHours(1).plusMinutes(30));
        assertThat(ids.claim("p", List.of("h1_0", "h2_0"))).containsExactly(true, true);
        assertThat(ids.claim("p", List.of("h0_0"))).containsExactly(false);
    }

    @Test
    void theBudgetKeepsTheCurrentHourWhateverItsSize() {
        ids = new AcceptedEventIds(RETENTION, 5, clock, dir, Runnable::run);
        ids.claim("p", ids("old", 3));
        clock.advance(Duration.ofHours(1));
        assertThat(ids.claim("p", ids("e", 10))).doesNotContain(true);
        assertThat(ids.size()).isEqualTo(10);
        assertThat(ids.claim("p", ids("e", 10))).doesNotContain(false);
    }

    @Test
    void theBudgetBindsWhileRebuilding() {
        ids = new AcceptedEventIds(RETENTION, 15, clock, dir, Runnable::run);
        for (int hour = 5; hour >= 0; hour--) {
            long at = START.minus(Duration.ofHours(hour)).toEpochMilli();
            ids("h" + hour + "_", 5).forEach(id -> ids.remember("p", id, at));
        }
        assertThat(ids.size()).isEqualTo(15);
        assertThat(ids.claim("p", List.of("h2_0", "h3_0"))).containsExactly(true, false);
    }

    @Test
    void gaugesReportTheIndex() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ids.bindTo(registry);
        ids.claim("p", ids("e", 1_000));
        clock.advance(Duration.ofHours(2));
        ids.claim("p", List.of("a", "b"));
        assertThat(registry.get("analytics.dedupe.ids").gauge().value()).isEqualTo(1_002);
        assertThat(registry.get("analytics.dedupe.bytes").gauge().value()).isEqualTo(ids.bytes()).isGreaterThan(8 * 1_000);
        assertThat(registry.get("analytics.dedupe.retention").gauge().value())
                .isEqualTo(Duration.ofHours(2).plusMinutes(30).toSeconds());
        assertThat(registry.get("analytics.dedupe.file.bytes").gauge().value()).isZero();
        seals.runAll();
        assertThat(registry.get("analytics.dedupe.file.bytes").gauge().value()).isEqualTo(8 * 1_000);
        assertThat(registry.get("analytics.dedupe.bytes").gauge().value()).isEqualTo(ids.bytes()).isLessThan(1_000);
    }

    @Test
    void claimsReleasesAndLateIdsDuringASealAreKept() {
        ids.claim("p", List.of("a", "b", "c", "d"));
        ids.release("p", List.of("d"));
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("trigger")); // sets the past hour aside for sealing
        // while its seal is under way
        assertThat(ids.claim("p", List.of("a", "e", "d"))).containsExactly(true, false, false);
        ids.release("p", List.of("b"));
        assertThat(ids.claim("p", List.of("b"))).containsExactly(false);
        ids.remember("p", "f", START.toEpochMilli());
        assertThat(ids.claim("p", List.of("f"))).containsExactly(true);
        assertThat(ids.size()).isEqualTo(7);

        assertThat(seals.runAll()).isEqualTo(1);
        assertThat(ids.claim("p", List.of("a", "b", "c", "d", "e", "f", "trigger"))).doesNotContain(false);
        assertThat(ids.size()).isEqualTo(7);

        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("x")); // seals both past hours: the first for its release of "b" and late "f"
        assertThat(seals.runAll()).isEqualTo(2);
        assertThat(ids.claim("p", List.of("a", "b", "c", "d", "e", "f", "trigger", "x"))).doesNotContain(false);
        assertThat(ids.claim("p", List.of("g"))).containsExactly(false);
        assertThat(ids.size()).isEqualTo(9);
    }

    @Test
    void aSealUnderWayIsNotStartedAgain() {
        ids.claim("p", List.of("a"));
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("b"));
        ids.remember("p", "late", START.toEpochMilli());
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("c")); // the first hour's seal is still pending: only the second hour's starts
        assertThat(seals.runAll()).isEqualTo(2);
        assertThat(ids.claim("p", List.of("a", "late", "b", "c"))).containsExactly(true, true, true, true);
        assertThat(ids.size()).isEqualTo(4);
    }

    @Test
    void theCurrentHourIsSealedWithinAMinute() throws IOException {
        ids.claim("p", ids("e", 1_000));
        clock.advance(Duration.ofSeconds(59));
        ids.claim("p", List.of());
        assertThat(seals.runAll()).isZero();
        assertThat(ids.fileBytes()).isZero();
        clock.advance(Duration.ofSeconds(1));
        ids.claim("p", List.of());
        assertThat(seals.runAll()).isEqualTo(1);
        assertThat(ids.fileBytes()).isEqualTo(8 * 1_000);
        assertThat(ids.bytes()).as("a directory and two empty sets").isLessThan(1_000);
        assertThat(idFiles()).hasSize(1);
        assertThat(ids.claim("p", ids("e", 1_000))).doesNotContain(false);
        assertThat(ids.size()).isEqualTo(1_000);
    }

    @Test
    void theHeapStaysBoundedWhileIdsArriveOverAnHour() throws IOException {
        clock.set(Instant.parse("2026-02-16T10:00:00Z"));
        int perSecond = 40;
        for (int second = 0; second < 3_600; second++) {
            ids.claim("p", ids("s" + second + "_", perSecond));
            seals.runAll();
            // a minute of ids in the open set (2,400: a 4,096-slot table) and the file's directory
            assertThat(ids.bytes()).as("second %d", second).isLessThan(48 * 1024);
            clock.advance(Duration.ofSeconds(1));
        }
        ids.claim("p", List.of());
        seals.runAll();
        assertThat(ids.size()).isEqualTo(3_600L * perSecond);
        assertThat(ids.fileBytes()).isEqualTo(8L * 3_600 * perSecond);
        assertThat(ids.claim("p", ids("s1234_", perSecond))).doesNotContain(false);
        assertThat(mappedFiles()).as("each replaced file is unmapped").isEqualTo(idFiles());
    }

    @Test
    void lookupsAndMergesCrossChunkBoundaries() {
        ids = new AcceptedEventIds(RETENTION, MAX_IDS, clock, new IdFiles(dir, 3), seals);
        for (int minute = 0; minute < 10; minute++) {
            ids.claim("p", ids("m" + minute + "_", 500));
            ids.release("p", ids("m" + minute + "_", 50));
            clock.advance(Duration.ofMinutes(1));
            ids.claim("p", List.of());
            seals.runAll();
        }
        assertThat(ids.fileBytes()).isEqualTo(8 * 10 * 450);
        for (int minute = 0; minute < 10; minute++) {
            assertThat(ids.claim("p", ids("m" + minute + "_", 50, 450))).doesNotContain(false);
            assertThat(ids.claim("p", ids("m" + minute + "_", 50))).doesNotContain(true);
        }
        assertThat(ids.claim("p", ids("fresh", 1_000))).doesNotContain(true);
        assertThat(ids.size()).isEqualTo(10 * 500 + 1_000);
    }

    @Test
    void filesOfDroppedHoursAreDeletedAndUnmapped() throws IOException {
        ids.claim("p", ids("e", 1_000));
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("x"));
        seals.runAll();
        clock.advance(Duration.ofHours(1));
        ids.claim("p", ids("f", 1_000)); // the second hour's seal is left under way when the first two hours are dropped
        assertThat(idFiles()).hasSize(1);
        clock.set(START.plus(RETENTION).plus(Duration.ofHours(2)).plusMillis(1));
        ids.claim("p", List.of());
        assertThat(ids.size()).isEqualTo(1_000);
        assertThat(seals.runAll()).as("the second hour's and the third's").isEqualTo(2);
        assertThat(ids.fileBytes()).isEqualTo(8 * 1_000);
        assertThat(idFiles()).as("the third hour's only").hasSize(1);
        assertThat(mappedFiles()).isEqualTo(idFiles());
    }

    @Test
    void theBudgetDeletesTheFilesOfTheHoursItDrops() throws IOException {
        ids = new AcceptedEventIds(RETENTION, 25, clock, dir, seals);
        ids.claim("p", ids("h0_", 10));
        clock.advance(Duration.ofHours(1));
        ids.claim("p", ids("h1_", 10));
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of());
        assertThat(seals.runAll()).isEqualTo(2);
        assertThat(idFiles()).hasSize(2);
        ids.claim("p", ids("h2_", 10)); // 30 ids: over the budget, the first hour goes
        assertThat(idFiles()).hasSize(1);
        assertThat(ids.fileBytes()).isEqualTo(8 * 10);
    }

    @Test
    void theDirectoryIsEmptiedOfIdsAtStart() throws IOException {
        Path stale = Files.writeString(dir.resolve("0-1700000000000-3.ids"), "left by a previous run");
        Path other = Files.writeString(dir.resolve("notes.txt"), "not the index's");
        ids = new AcceptedEventIds(RETENTION, MAX_IDS, clock, dir, seals);
        assertThat(stale).doesNotExist();
        assertThat(other).exists();
        assertThat(ids.claim("p", List.of("a"))).containsExactly(false);
    }

    @Test
    void aSealThatFailsKeepsThePreviousIdsAndTriesAgain() throws IOException {
        ids.claim("p", ids("a", 1_000));
        clock.advance(Duration.ofMinutes(1));
        ids.claim("p", ids("b", 1_000));
        seals.runAll();
        clock.advance(Duration.ofMinutes(1));
        ids.claim("p", List.of());
        ids.release("p", ids("a", 10));
        deleteDirectory(); // as a failed disk may: the seal under way cannot write its file
        assertThat(seals.runAll()).isEqualTo(1);
        assertThat(ids.fileBytes()).as("the previous file").isEqualTo(8 * 1_000);
        assertThat(ids.claim("p", ids("a", 10, 990))).doesNotContain(false);
        assertThat(ids.claim("p", ids("b", 1_000))).doesNotContain(false);
        assertThat(ids.size()).isEqualTo(1_990);

        Files.createDirectories(dir);
        clock.advance(Duration.ofMinutes(1));
        ids.claim("p", List.of());
        assertThat(seals.runAll()).isEqualTo(1);
        assertThat(ids.fileBytes()).isEqualTo(8 * 1_990);
        assertThat(ids.claim("p", ids("a", 10))).doesNotContain(true);
        assertThat(ids.claim("p", ids("b", 1_000))).doesNotContain(false);
    }

    private void deleteDirectory() throws IOException {
        for (Path file : idFiles()) {
            Files.delete(file);
        }
        Files.delete(dir);
    }

    private Set<Path> idFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.collect(Collectors.toSet());
        }
    }

    /** The files of the directory this process has mapped, deleted or not (Linux only). */
    private Set<Path> mappedFiles() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        Assumptions.assumeTrue(Files.exists(maps));
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.filter(line -> line.contains(dir.toString()))
                    .map(line -> Path.of(line.substring(line.indexOf(dir.toString())).replace(" (deleted)", "")))
                    .collect(Collectors.toSet());
        }
    }

    /**
     * Claims race a real seal on another thread: the seal starts only once every claimer has claimed,
     * and the claimers go on until it has finished. Each claim's answer is known in advance: ids of
     * the sealed hour are duplicates, new ids are new once and duplicates after, and sealed ids given
     * back are new once more.
     */
    @Test
    void concurrentClaimsDuringASealAreNeitherLostNorTakenForNew() throws Exception {
        int claimers = 2;
        int sealedIds = 200_000;
        CountDownLatch claimsUnderWay = new CountDownLatch(claimers);
        CountDownLatch sealed = new CountDownLatch(1);
        Executor sealer = seal -> new Thread(() -> {
            awaitUninterruptibly(claimsUnderWay);
            seal.run();
            sealed.countDown();
        }).start();
        ids = new AcceptedEventIds(RETENTION, MAX_IDS, clock, dir, sealer);
        for (int i = 0; i < sealedIds; i += 10_000) {
            ids.claim("p", ids("old", i, 10_000));
        }
        long unsealedBytes = ids.bytes();
        clock.advance(Duration.ofHours(1));
        ids.claim("p", List.of("trigger"));

        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        List<Future<Integer>> batches = new ArrayList<>();
        for (int t = 0; t < claimers; t++) {
            int claimer = t;
            batches.add(pool.submit(() -> claimUntilSealed(claimer, claimers, sealedIds, claimsUnderWay, sealed)));
        }
        int newIds = 0;
        for (Future<Integer> claimed : batches) {
            newIds += 50 * claimed.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(sealed.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ids.size()).isEqualTo(sealedIds + 1 + newIds);
        assertThat(ids.bytes()).isLessThan(unsealedBytes * 2 / 3);
        assertThat(ids.claim("p", ids("old", 0, sealedIds))).doesNotContain(false);
    }

    /**
     * Claims batches until the seal has finished, and two more, or until its share of the sealed ids
     * is used up; returns the number of batches.
     */
    private int claimUntilSealed(int claimer, int claimers, int sealedIds, CountDownLatch claimsUnderWay, CountDownLatch sealed) {
        int batch = 0;
        int after = 0;
        while (after < 2 && (batch + 1) * claimers * 60 <= sealedIds) {
            after += sealed.getCount() == 0 ? 1 : 0;
            // ids of the sealed hour, 60 a batch, none used twice: a release is this claimer's own
            int from = (batch * claimers + claimer) * 60;
            List<String> held = ids("old", from, 50);
            List<String> given = ids("old", from + 50, 10);
            List<String> fresh = ids("c" + claimer + "_" + batch + "_", 0, 50);
            assertThat(ids.claim("p", held)).as("batch %d", batch).doesNotContain(false);
            ids.release("p", given);
            assertThat(ids.claim("p", given)).as("batch %d", batch).doesNotContain(true);
            assertThat(ids.claim("p", fresh)).as("batch %d", batch).doesNotContain(true);
            assertThat(ids.claim("p", fresh)).as("batch %d", batch).doesNotContain(false);
            assertThat(ids.claim("p", given)).as("batch %d", batch).doesNotContain(false);
            if (batch++ == 0) {
                claimsUnderWay.countDown();
            }
        }
        return batch;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBudgetMustHoldAnId() {
        assertThatThrownBy(() -> new AcceptedEventIds(RETENTION, 0, clock, dir)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> ids(String prefix, int count) {
        return ids(prefix, 0, count);
    }

    private static List<String> ids(String prefix, int from, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }
}
