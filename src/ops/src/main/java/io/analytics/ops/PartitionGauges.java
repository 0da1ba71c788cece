package io.analytics.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleUnaryOperator;

/**
 * One gauge per Kafka partition this node handles, labelled {@code partition}. A gauge appears when its
 * partition is first set and is removed when the partition moves to another node, so a scrape shows only
 * partitions this node is responsible for.
 */
public final class PartitionGauges {

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String baseUnit;
    private final DoubleUnaryOperator view;
    private final Map<Integer, Double> values = new ConcurrentHashMap<>();
    private final Map<Integer, Gauge> gauges = new ConcurrentHashMap<>();

    /** {@code view} turns the stored value into the reported one at scrape time (for values that age). */
    public PartitionGauges(MeterRegistry registry, String name, String description, String baseUnit, DoubleUnaryOperator view) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.baseUnit = baseUnit;
        this.view = view;
    }

    public void set(int partition, double value) {
        values.put(partition, value);
        gauges.computeIfAbsent(partition, p -> Gauge.builder(name, () -> view.applyAsDouble(values.getOrDefault(p, Double.NaN)))
                .description(description)
                .baseUnit(baseUnit)
                .tag("partition", Integer.toString(p))
                .register(registry));
    }

    /** Drops the gauges of partitions not in {@code partitions}. */
    public void retainOnly(Set<Integer> partitions) {
        for (Integer partition : Set.copyOf(gauges.keySet())) {
            if (!partitions.contains(partition)) {
                remove(partition);
            }
        }
    }

    public void remove(int partition) {
        Gauge gauge = gauges.remove(partition);
        values.remove(partition);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }
}
