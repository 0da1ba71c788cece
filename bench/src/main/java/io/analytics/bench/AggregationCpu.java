package io.analytics.bench;

import com.sun.management.OperatingSystemMXBean;
import io.analytics.bench.jmh.AggregationBenchmark;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * {@link AggregationBenchmark}'s work timed in CPU seconds of the whole JVM (garbage collection
 * included) rather than wall-clock time: on a machine shared with other work, wall-clock throughput
 * drifts with the load by more than disorder costs, while the CPU a batch takes barely moves. Runs the
 * benchmark's micro-batches for a warm-up, then {@code rounds} rounds of {@code batches} batches, and
 * prints the median events per CPU second (one line, for bench/disorder.sh) after each round's figure.
 *
 * <pre>java -cp "bench/target/classes:bench/target/lib/*" io.analytics.bench.AggregationCpu disorderMillis [rounds] [batches]</pre>
 */
public final class AggregationCpu {

    private static final int WARM_UP_BATCHES = 1_200;

    private AggregationCpu() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: AggregationCpu disorderMillis [rounds (5)] [batches per round (400)]");
            System.exit(2);
        }
        AggregationBenchmark benchmark = new AggregationBenchmark();
        benchmark.disorderMillis = Long.parseLong(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        benchmark.generate();
        benchmark.reset();
        for (int i = 0; i < WARM_UP_BATCHES; i++) {
            benchmark.aggregateAndApply();
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] rates = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long start = os.getProcessCpuTime();
            for (int i = 0; i < batches; i++) {
                benchmark.aggregateAndApply();
            }
            rates[round] = (double) batches * AggregationBenchmark.BATCH * 1e9 / (os.getProcessCpuTime() - start);
        }
        System.out.printf("rounds %s%n", Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()));
        Arrays.sort(rates);
        System.out.println(Math.round(rates[rounds / 2]));
    }
}
