package io.analytics.query;

import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.Metric;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.metric.SeriesAssembler;
import io.analytics.core.window.OperatorWatermark;
import io.analytics.core.window.WindowSpec;
import io.analytics.projections.MetricCellStore;
import io.analytics.stream.metrics.MetricPartition;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Answers a metric query from both places cells live. Each partition's entity returns the cells it
 * holds and the watermark through which it has handed windows to the read model; the read model is
 * read only after those answers, for windows ending at or before that watermark, so a window released
 * between the two reads is still found exactly once. The same answers give the stream's watermark,
 * which says which of the windows are final. Windows the batch layer has recomputed are answered from
 * its views instead ({@link BatchViews}), and every point says which layer served it.
 */
public final class MetricsService {

    /** A query's series and the stream's watermark when it was answered. */
    public record Answer(List<MetricSeries> series, long watermark) {}

    /** Every partition's progress and the stream's watermark over them. */
    public record Status(List<MetricPartition.Progress> partitions, long watermark, Duration idleTimeout) {}

    /** Tries per partition and question, sharing the ask timeout. */
    /** Far longer than a partition takes to answer a query; a lost question is asked again after it. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);

    private static final Set<Metric> BATCH_METRICS =
            EnumSet.of(Metric.EVENTS, Metric.ORDERS, Metric.REVENUE, Metric.AVG_ORDER_VALUE, Metric.UNIQUE_USERS);

    private final ClusterSharding sharding;
    private final int partitions;
    private final MetricCellStore store;
    private final Executor blocking;
    private final Duration askTimeout;
    private final Duration idleTimeout;
    private final BatchViews batch;

    public MetricsService(ClusterSharding sharding, int partitions, MetricCellStore store, Executor blocking,
            Duration askTimeout, Duration idleTimeout, BatchViews batch) {
        this.sharding = sharding;
        this.partitions = partitions;
        this.store = store;
        this.blocking = blocking;
        this.askTimeout = askTimeout;
        this.idleTimeout = idleTimeout;
        this.batch = batch;
    }

    /** The merged answer: windows the batch layer covers from its views, the others from the live layer. */
    public CompletionStage<Answer> query(MetricQuery query) {
        return this.<MetricPartition.Cells>askAll(replyTo -> new MetricPartition.QueryCells(query, replyTo))
                .thenApplyAsync(live -> new Answer(layered(query, liveCells(query, live)), watermark(progressOf(live))), blocking);
    }

    /** The live layer's answer alone, whatever the batch layer holds (what reconciliation compares). */
    public CompletionStage<List<MetricSeries>> queryLiveOnly(MetricQuery query) {
        return this.<MetricPartition.Cells>askAll(replyTo -> new MetricPartition.QueryCells(query, replyTo))
                .thenApplyAsync(live -> SeriesAssembler.assemble(query, liveCells(query, live), MetricSeries.Layer.LIVE), blocking);
    }

    /**
     * Batch cells replace live ones only where the asked window is a stored one (a sliding or multi-size
     * window straddling the batch cutoff would otherwise be answered twice, once by each layer) and for
     * the metrics the batch views hold: they keep no amount distributions and count late events in
     * their own windows, not in the window of their arrival.
     */
    private List<MetricSeries> layered(MetricQuery query, List<CellValue> live) {
        boolean batchable = BATCH_METRICS.contains(query.metric()) && query.window().equals(WindowSpec.tumbling(query.cellSize()));
        BatchViews.Answer exact = batchable ? batch.select(query) : BatchViews.Answer.NOTHING;
        if (exact.covered().isEmpty()) {
            return SeriesAssembler.assemble(query, live, MetricSeries.Layer.LIVE);
        }
        List<CellValue> uncovered = live.stream()
                .filter(cell -> !exact.covers(cell.key().windowStart(), cell.key().windowEnd()))
                .toList();
        return SeriesAssembler.merge(SeriesAssembler.assemble(query, exact.cells(), MetricSeries.Layer.BATCH),
                SeriesAssembler.assemble(query, uncovered, MetricSeries.Layer.LIVE));
    }

    public CompletionStage<Status> status() {
        return this.<MetricPartition.Progress>askAll(MetricPartition.GetProgress::new)
                .thenApply(progress -> new Status(progress, watermark(progress), idleTimeout));
    }

    private <T> CompletableFuture<List<T>> askAll(Function<ActorRef<T>, MetricPartition.Command> message) {
        List<CompletableFuture<T>> replies = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            replies.add(ask(Integer.toString(p), message, attempts()));
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(done -> replies.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Asks one partition, and asks again when it does not answer within {@link #ATTEMPT_TIMEOUT}, for at
     * most the ask timeout in all: sharding drops the messages it buffered for a shard while the shard is
     * handed off to another node (a node joining), and these questions only read, so asking twice is
     * harmless. A third of the ask timeout (10 s) was longer than a dashboard's first snapshot may take.
     */
    private Duration attemptTimeout() {
        return ATTEMPT_TIMEOUT.compareTo(askTimeout) < 0 ? ATTEMPT_TIMEOUT : askTimeout;
    }

    private int attempts() {
        return (int) Math.max(1, askTimeout.dividedBy(attemptTimeout()));
    }

    private <T> CompletableFuture<T> ask(String partition, Function<ActorRef<T>, MetricPartition.Command> message, int attempts) {
        return sharding.entityRefFor(MetricPartition.TYPE_KEY, partition)
                .ask(message::apply, attemptTimeout())
                .toCompletableFuture()
                .handle((reply, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(reply);
                    }
                    if (attempts > 1 && isTimeout(failure)) {
                        return ask(partition, message, attempts - 1);
                    }
                    return CompletableFuture.<T>failedFuture(failure);
                })
                .thenCompose(Function.identity());
    }

    private static boolean isTimeout(Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        return cause instanceof TimeoutException;
    }

    private static List<MetricPartition.Progress> progressOf(List<MetricPartition.Cells> live) {
        return live.stream().map(MetricPartition.Cells::progress).toList();
    }

    private List<CellValue> liveCells(MetricQuery query, List<MetricPartition.Cells> live) {
        Map<Integer, Long> releasedThrough = new HashMap<>();
        List<CellValue> cells = new ArrayList<>();
        for (MetricPartition.Cells partition : live) {
            releasedThrough.put(partition.partition(), partition.releasedThrough());
            cells.addAll(partition.cells());
        }
        for (MetricCellStore.PartitionCell stored : select(query)) {
            long released = releasedThrough.getOrDefault(stored.partition(), Long.MIN_VALUE);
            if (stored.cell().key().windowEnd() <= released) {
                cells.add(stored.cell());
            }
        }
        return cells;
    }

    private long watermark(List<MetricPartition.Progress> progress) {
        return OperatorWatermark.of(progress.stream()
                .map(p -> new OperatorWatermark.PartitionWatermark(p.partition(), p.watermark().value(), p.idleMillis()))
                .toList(), idleTimeout.toMillis());
    }

    private List<MetricCellStore.PartitionCell> select(MetricQuery query) {
        try {
            return store.select(query);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the metrics read model: " + e.getMessage(), e);
        }
    }
}
