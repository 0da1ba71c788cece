package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.analytics.core.window.WindowSize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.LongConsumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A batch's cell that carries its users and amounts as they came ({@link BatchCell}) adds to a
 * window's cell what a cell of sketches adds: the same count and sum, the same unique-user estimate,
 * and the same amounts (the same quantiles while the window's cell holds them exactly, quantiles
 * within the sketch's rank error beyond). Both where a batch is applied ({@link WindowCells#add}) and
 * where a journaled delta is read back ({@link MetricCell#merge(CellDelta)}).
 */
class BatchCellPropertiesTest {

    private static final CellKey KEY = new CellKey("p", WindowSize.ONE_MINUTE, 0L, "", null, CellKey.ALL_TYPES);

    /** One event of a cell: its user (one of {@code users}) and its amount in cents, 0 for none. */
    record Ev(int user, int cents) {}

    @Provide
    Arbitrary<List<Ev>> events() {
        Arbitrary<Integer> centsOrNone = Arbitraries.integers().between(-50_000, 50_000).map(cents -> Math.max(0, cents));
        return Combinators.combine(Arbitraries.integers().between(0, 400), centsOrNone).as(Ev::new).list().ofMaxSize(500);
    }

    @Property(tries = 300)
    void addsWhatACellOfSketchesAdds(@ForAll("events") List<Ev> before, @ForAll("events") List<Ev> batch) {
        MetricCell sketched = cellOf(before);
        MetricCell viaRollUp = cellOf(before);
        MetricCell viaJournal = cellOf(before);

        CellDelta sketches = fill(new MetricCell(), batch).toDelta(KEY);
        CellDelta asTheyCame = fill(new BatchCell(), batch).toDelta(KEY);
        sketched.merge(MetricCell.view(sketches));
        viaRollUp.merge(MetricCell.view(asTheyCame));
        viaRollUp.addValues(asTheyCame);
        viaJournal.merge(asTheyCame);

        double[] amounts = amountsOf(before, batch);
        for (MetricCell cell : List.of(viaRollUp, viaJournal)) {
            CellValue value = cell.value(KEY);
            assertThat(value.count()).isEqualTo(before.size() + batch.size());
            assertThat(value.amount()).isCloseTo(sketched.value(KEY).amount(), within(1e-6));
            assertThat(value.uniqueUsers()).isEqualTo(sketched.value(KEY).uniqueUsers());
            assertSameAmounts(cell, sketched, amounts);
        }
    }

    @Example
    void smallCellsTravelAsTheyCameAndLargeOnesAsSketches() {
        List<Ev> few = List.of(new Ev(1, 500), new Ev(2, 0), new Ev(1, 700));
        CellDelta small = fill(new BatchCell(), few).toDelta(KEY);
        assertThat(small.users()).isNull();
        assertThat(small.amounts()).isNull();
        assertThat(small.userHashes()).as("user 1 once").hasSize(2);
        assertThat(small.amountValues()).containsExactly(5.0, 7.0);

        List<Ev> many = new ArrayList<>();
        for (int i = 0; i <= Math.max(BatchCell.MAX_USER_HASHES, AmountDistribution.K); i++) {
            many.add(new Ev(i, 100 + i));
        }
        CellDelta large = fill(new BatchCell(), many).toDelta(KEY);
        assertThat(large.userHashes()).isNull();
        assertThat(large.amountValues()).isNull();
        assertThat(large.users()).isNotNull();
        assertThat(AmountDistribution.fromBytes(large.amounts()).count()).isEqualTo(many.size());
    }

    @Example
    void aCellWithoutUsersOrAmountsCarriesNeither() {
        BatchCell cell = new BatchCell();
        cell.add(null);
        CellDelta delta = cell.toDelta(KEY);
        assertThat(delta.count()).isEqualTo(1);
        assertThat(Arrays.asList(delta.users(), delta.amounts(), delta.userHashes(), delta.amountValues())).containsOnlyNulls();
    }

    private static void assertSameAmounts(MetricCell cell, MetricCell sketched, double[] amounts) {
        MetricSeries.Percentiles expected = sketched.percentiles();
        MetricSeries.Percentiles actual = cell.percentiles();
        if (amounts.length == 0) {
            assertThat(actual).isNull();
            return;
        }
        assertThat(actual.count()).isEqualTo(amounts.length);
        if (amounts.length <= AmountDistribution.K) {
            assertThat(actual).as("exact while the cell holds every amount").isEqualTo(expected);
            return;
        }
        assertWithinRankError(amounts, 0.50, actual.p50());
        assertWithinRankError(amounts, 0.95, actual.p95());
        assertWithinRankError(amounts, 0.99, actual.p99());
    }

    private static void assertWithinRankError(double[] sorted, double rank, double quantile) {
        int below = 0;
        int atOrBelow = 0;
        for (double amount : sorted) {
            below += amount < quantile ? 1 : 0;
            atOrBelow += amount <= quantile ? 1 : 0;
        }
        double slack = AmountDistribution.RANK_ERROR * sorted.length + 1;
        assertThat(rank * sorted.length).as("rank %s of %s amounts", rank, sorted.length).isBetween(below - slack, atOrBelow + slack);
    }

    private static MetricCell cellOf(List<Ev> events) {
        return fill(new MetricCell(), events);
    }

    private static MetricCell fill(MetricCell cell, List<Ev> events) {
        feed(events, cell::add, cell::addUser, cell::addToDistribution);
        return cell;
    }

    private static BatchCell fill(BatchCell cell, List<Ev> events) {
        feed(events, cell::add, cell::addUser, cell::addToDistribution);
        return cell;
    }

    /** The updates a batch makes for each event: counted (with its amount), its user, its amount's distribution. */
    private static void feed(List<Ev> events, Consumer<Double> add, LongConsumer addUser, DoubleConsumer addToDistribution) {
        for (Ev ev : events) {
            Double amount = ev.cents() == 0 ? null : ev.cents() / 100.0;
            add.accept(amount);
            addUser.accept(UniqueUsers.hash("user_" + ev.user()));
            if (amount != null) {
                addToDistribution.accept(amount);
            }
        }
    }

    private static double[] amountsOf(List<Ev> before, List<Ev> batch) {
        return java.util.stream.Stream.concat(before.stream(), batch.stream())
                .filter(ev -> ev.cents() > 0).mapToDouble(ev -> ev.cents() / 100.0).sorted().toArray();
    }
}
