package io.analytics.bench.jmh;

import io.analytics.core.metric.AmountDistribution;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The amount-percentile sketch of one window cell: {@code fillCell} builds a cell's distribution
 * from {@code amounts} amounts (run with {@code -prof gc}: its {@code gc.alloc.rate.norm} is the
 * cell's heap, as nothing else is allocated), {@code addToSketch} is one update of a distribution
 * that already holds a million amounts, the steady state of a busy cell.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AmountDistributionBenchmark {

    private static final int MASK = 4095;
    private static final double[] VALUES = new SplittableRandom(42).doubles(MASK + 1, 5, 200).toArray();

    @State(Scope.Thread)
    public static class Cell {
        @Param({"1", "10", "1000"})
        int amounts;
    }

    @State(Scope.Thread)
    public static class Busy {
        AmountDistribution distribution;
        int next;

        @Setup
        public void fill() {
            distribution = AmountDistribution.empty();
            for (int i = 0; i < 1_000_000; i++) {
                distribution.add(VALUES[i & MASK]);
            }
        }
    }

    @Benchmark
    public AmountDistribution fillCell(Cell cell) {
        AmountDistribution distribution = AmountDistribution.empty();
        for (int i = 0; i < cell.amounts; i++) {
            distribution.add(VALUES[i]);
        }
        return distribution;
    }

    @Benchmark
    public AmountDistribution addToSketch(Busy busy) {
        busy.distribution.add(VALUES[busy.next++ & MASK]);
        return busy.distribution;
    }
}
