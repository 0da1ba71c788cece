package io.analytics.core.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.datasketches.common.SketchesArgumentException;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.junit.jupiter.api.Test;

/**
 * The distribution answers as the plain KLL sketch it replaced would: exactly the same quantiles and
 * bytes while it holds at most k amounts (kept in a small array), within the rank error beyond.
 */
class AmountDistributionTest {

    private static final double[] RANKS = {0.0, 0.01, 0.25, 0.5, 0.95, 0.99, 1.0, 1.0 / 3, 2.0 / 3};

    /** Few distinct values, so ties are common, and both zeros, whose order the sort must keep as the sketch does. */
    @Provide
    Arbitrary<List<Double>> amounts() {
        Arbitrary<Double> amount = Arbitraries.oneOf(
                Arbitraries.integers().between(-3, 30).map(cents -> cents / 4.0),
                Arbitraries.of(-0.0, 0.0, Double.NaN, 1e308, -1e-308));
        return amount.list().ofMinSize(0).ofMaxSize(AmountDistribution.K);
    }

    @Property(tries = 300)
    void upToKAmountsAnswerAsTheSketch(@ForAll("amounts") List<Double> amounts) {
        AmountDistribution distribution = AmountDistribution.empty();
        KllDoublesSketch reference = KllDoublesSketch.newHeapInstance(AmountDistribution.K);
        for (double amount : amounts) {
            distribution.add(amount);
            reference.update(amount);
        }
        // Bytes first: a sketch's quantile sorts its values in place and flags them sorted.
        assertThat(distribution.toBytes()).isEqualTo(reference.toByteArray());
        assertThat(AmountDistribution.fromBytes(reference.toByteArray()).toBytes()).isEqualTo(reference.toByteArray());
        assertSameAs(reference, distribution);
    }

    @Property(tries = 300)
    void mergesOfSmallCellsAnswerAsTheSketch(@ForAll("amounts") List<Double> amounts, @ForAll @IntRange(max = 200) int cut) {
        List<Double> first = amounts.subList(0, Math.min(cut, amounts.size()));
        List<Double> second = amounts.subList(first.size(), amounts.size());
        KllDoublesSketch reference = KllDoublesSketch.newHeapInstance(AmountDistribution.K);
        amounts.forEach(reference::update);

        AmountDistribution viaBytes = AmountDistribution.fromBytes(of(first).toBytes());
        viaBytes.merge(of(second).toBytes());
        AmountDistribution inMemory = of(first);
        inMemory.merge(of(second));

        assertSameAs(reference, viaBytes);
        assertSameAs(reference, inMemory);
    }

    @Property(tries = 50)
    void beyondKAmountsStayWithinTheRankError(@ForAll @IntRange(min = 201, max = 5_000) int n, @ForAll @IntRange(min = 1, max = 7) int parts) {
        double[] values = new Random(n * 31L + parts).doubles(n, 0, 1_000).toArray();
        AmountDistribution merged = AmountDistribution.empty();
        for (int p = 0; p < parts; p++) {
            AmountDistribution part = AmountDistribution.empty();
            for (int i = p; i < n; i += parts) {
                part.add(values[i]);
            }
            if (p % 2 == 0) {
                merged.merge(part.toBytes());
            } else {
                merged.merge(part);
            }
        }
        assertThat(merged.count()).isEqualTo(n);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double rank : new double[] {0.5, 0.95, 0.99}) {
            double value = merged.quantile(rank);
            long atOrBelow = Arrays.stream(sorted).filter(v -> v <= value).count();
            assertThat((double) atOrBelow / n).isBetween(rank - AmountDistribution.RANK_ERROR, rank + AmountDistribution.RANK_ERROR);
        }
        assertThat(AmountDistribution.fromBytes(merged.toBytes()).quantile(0.5)).isEqualTo(merged.quantile(0.5));
    }

    @Test
    void theKPlusFirstAmountTurnsTheArrayIntoTheSketchItWouldHaveBeen() {
        AmountDistribution distribution = AmountDistribution.empty();
        for (int i = 0; i < AmountDistribution.K; i++) {
            distribution.add(i);
        }
        distribution.add(AmountDistribution.K);
        KllDoublesSketch estimated = KllDoublesSketch.heapify(Memory.wrap(distribution.toBytes()));
        assertThat(estimated.isEstimationMode()).isTrue();
        assertThat(estimated.getN()).isEqualTo(AmountDistribution.K + 1);
        assertThat(estimated.getMinItem()).isEqualTo(0.0);
        assertThat(estimated.getMaxItem()).isEqualTo(AmountDistribution.K);
    }

    @Test
    void anEmptyDistributionHasNoQuantileAndRanksMustBeNormalised() {
        AmountDistribution empty = AmountDistribution.empty();
        assertThat(empty.isEmpty()).isTrue();
        assertThatThrownBy(() -> empty.quantile(0.5)).isInstanceOf(SketchesArgumentException.class);
        AmountDistribution one = of(List.of(4.0));
        assertThatThrownBy(() -> one.quantile(1.5)).isInstanceOf(SketchesArgumentException.class);
        assertThat(one.quantile(0.0)).isEqualTo(4.0);
    }

    private static AmountDistribution of(List<Double> amounts) {
        AmountDistribution distribution = AmountDistribution.empty();
        amounts.forEach(distribution::add);
        return distribution;
    }

    private static void assertSameAs(KllDoublesSketch reference, AmountDistribution distribution) {
        assertThat(distribution.count()).isEqualTo(reference.getN());
        assertThat(distribution.isEmpty()).isEqualTo(reference.isEmpty());
        if (reference.isEmpty()) {
            return;
        }
        for (double rank : RANKS) {
            assertThat(distribution.quantile(rank))
                    .as("rank %s", rank)
                    .isEqualTo(reference.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE));
        }
    }
}
