package io.analytics.bench.jmh;

import io.analytics.core.event.AnalyticsEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.analytics.core.metric.CellDelta;
import io.analytics.core.metric.Dimension;
import io.analytics.core.metric.PartitionBatch;
import io.analytics.core.metric.WindowCells;
import io.analytics.core.window.Watermark;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What event-time disorder costs the stream's own work on one partition: micro-batches of events
 * aggregated into cells ({@link PartitionBatch}), their deltas serialised as the journal writes them
 * (CBOR) and rolled up into the entity's open windows ({@link WindowCells}), windows released as the
 * watermark passes them, as {@code MetricPartition} does, with the default dimensions and lateness. In order, a
 * batch's events fall in one or two minutes; with disorder D each event's time lags the stream's by
 * a uniform amount in [0, D], so a batch spreads over up to D of minutes and makes more cells. Run
 * with {@code -p disorderMillis=0,300000} (bench/disorder.sh alternates the two).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AggregationBenchmark {

    /** Events per micro-batch. */
    public static final int BATCH = 5_000;
    private static final long LATENESS = Duration.ofMinutes(5).toMillis();
    /** Event-time progress per batch: 5,000 events per second of event time, as at 5,000 ev/s per partition. */
    private static final long BATCH_SPAN = 1_000;
    private static final List<Dimension> DIMENSIONS = List.of("event_type", "country", "currency", "product_id",
            "platform", "payment_method").stream().map(Dimension::new).toList();
    private static final String[] TYPES = {"page_view", "page_view", "product_view", "product_view", "add_to_cart",
            "checkout_started", "purchase_completed"};
    private static final String[] COUNTRIES = {"US", "GB", "DE", "FR", "CA", "IN", "BR", "JP"};

    @Param({"0", "300000"})
    public long disorderMillis;

    private List<List<AnalyticsEvent>> batches;
    private int next;
    private Watermark watermark;
    private WindowCells entity;
    private final ObjectMapper journal = new ObjectMapper(new CBORFactory());

    @Setup(Level.Trial)
    public void generate() {
        SplittableRandom random = new SplittableRandom(42);
        batches = new ArrayList<>();
        long clock = 1_771_200_000_000L;
        for (int b = 0; b < 200; b++) {
            List<AnalyticsEvent> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                long time = clock + i * BATCH_SPAN / BATCH - (disorderMillis == 0 ? 0 : random.nextLong(disorderMillis + 1));
                batch.add(event(random, b * BATCH + i, time));
            }
            batches.add(batch);
            clock += BATCH_SPAN;
        }
    }

    @Setup(Level.Iteration)
    public void reset() {
        next = 0;
        watermark = Watermark.initial(LATENESS);
        entity = new WindowCells();
    }

    /** One micro-batch: aggregate, take the deltas, merge them into the open windows. Counted per event. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int aggregateAndApply() throws IOException {
        if (next == batches.size()) {
            reset();
        }
        PartitionBatch batch = new PartitionBatch(DIMENSIONS, watermark, Long.MAX_VALUE / 4);
        for (AnalyticsEvent event : batches.get(next++)) {
            batch.add(event, event.timestamp());
        }
        watermark = batch.watermark();
        List<CellDelta> deltas = batch.deltas();
        byte[] journaled = journal.writeValueAsBytes(deltas);
        deltas.forEach(entity::add);
        entity.releaseEndingBy(watermark.value());
        return journaled.length;
    }

    private static AnalyticsEvent event(SplittableRandom random, int id, long time) {
        String type = TYPES[random.nextInt(TYPES.length)];
        Map<String, Object> properties = new HashMap<>();
        properties.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
        properties.put("product_id", "prod_" + random.nextInt(500));
        if (type.equals("purchase_completed")) {
            properties.put("amount", 5 + random.nextInt(20_000) / 100.0);
            properties.put("currency", "USD");
            properties.put("payment_method", "credit_card");
        }
        return new AnalyticsEvent("demo", "e" + id, type, time, "user_" + random.nextInt(20_000), null, properties,
                Map.of("platform", random.nextBoolean() ? "web" : "ios"));
    }
}
