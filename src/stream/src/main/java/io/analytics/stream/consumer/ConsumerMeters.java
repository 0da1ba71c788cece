package io.analytics.stream.consumer;

import io.analytics.ops.EventCounter;
import io.analytics.ops.PartitionGauges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** What the partition consumer records about the events it processes. */
final class ConsumerMeters {

    /** The latest batch applied: when, and how old its oldest record was then. */
    private record LatestBatch(long appliedAtMillis, long delayMillis) {}

    private final Clock clock;
    private volatile LatestBatch latest = new LatestBatch(Long.MIN_VALUE, 0);

    private final EventCounter processed;
    private final Counter late;
    private final Timer latency;
    private final Timer apply;
    private final PartitionGauges watermarkDelay;

    ConsumerMeters(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        processed = new EventCounter(registry, "analytics.events.processed", "events applied to the metric partitions");
        late = Counter.builder("analytics.events.late")
                .description("events that arrived for a window already closed by the watermark").register(registry);
        latency = Timer.builder("analytics.processing.latency")
                .description("from the Kafka timestamp of a batch's oldest record to the batch being applied")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
        apply = Timer.builder("analytics.batch.apply")
                .description("round trip of one micro-batch to its metric partition entity, journal write included")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        // Stored: the largest event time seen; reported: how far it is behind the wall clock now.
        watermarkDelay = new PartitionGauges(registry, "analytics.watermark.delay",
                "wall clock minus the largest event time seen, per partition this node consumes", "seconds",
                maxEventTime -> (clock.millis() - maxEventTime) / 1000.0);
    }

    void applied(int partition, Map<String, Long> eventsByType, long lateEvents, long oldestRecordTimestamp,
            long maxEventTime, long sentNanos) {
        eventsByType.forEach(processed::increment);
        late.increment(lateEvents);
        long now = clock.millis();
        long delay = Math.max(0, now - oldestRecordTimestamp);
        latency.record(Duration.ofMillis(delay));
        latest = new LatestBatch(now, delay);
        apply.record(Duration.ofNanos(System.nanoTime() - sentNanos));
        if (maxEventTime != Long.MIN_VALUE) {
            watermarkDelay.set(partition, maxEventTime);
        }
    }

    /**
     * How old the oldest record of the latest batch was when it was applied; zero when no batch was applied
     * within {@code idleAfter}: a pipeline that applies nothing has no events waiting, or none this node can apply.
     */
    Duration delay(Duration idleAfter) {
        LatestBatch batch = latest;
        if (batch.appliedAtMillis() == Long.MIN_VALUE || clock.millis() - batch.appliedAtMillis() > idleAfter.toMillis()) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(batch.delayMillis());
    }

    void released(int partition) {
        watermarkDelay.remove(partition);
    }
}
