package io.analytics.query;

import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.MetricQuery;
import io.analytics.core.metric.MetricSeries;
import io.analytics.core.metric.SeriesAssembler;
import io.analytics.stream.metrics.MetricPartition;
import io.analytics.projections.MetricCellStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Answers a metric query from both places cells live. Each partition's entity returns the cells it
 * holds and the watermark through which it has handed windows to the read model; the read model is
 * read only after those answers, for windows ending at or before that watermark, so a window released
 * between the two reads is still found exactly once. Windows the batch layer has recomputed are
 * answered from its views instead ({@link BatchViews}), and every point says which layer served it.
 */
public final class MetricsService {

    private final ClusterSharding sharding;
    private final int partitions;
    private final MetricCellStore store;
    private final Executor blocking;
    private final Duration askTimeout;
    private final BatchViews batch;

    public MetricsService(ClusterSharding sharding, int partitions, MetricCellStore store, Executor blocking,
            Duration askTimeout, BatchViews batch) {
        this.sharding = sharding;
        this.partitions = partitions;
        this.store = store;
        this.blocking = blocking;
        this.askTimeout = askTimeout;
        this.batch = batch;
    }

    /** The merged answer: windows the batch layer covers from its views, the others from the live layer. */
    public CompletionStage<List<MetricSeries>> query(MetricQuery query) {
        return queryLive(query).thenApplyAsync(live -> {
            BatchViews.Answer exact = batch.select(query);
            if (exact.covered().isEmpty()) {
                return SeriesAssembler.assemble(query, live, MetricSeries.Layer.LIVE);
            }
            List<CellValue> uncovered = live.stream()
                    .filter(cell -> !exact.covers(cell.key().windowStart(), cell.key().windowEnd()))
                    .toList();
            return SeriesAssembler.merge(SeriesAssembler.assemble(query, exact.cells(), MetricSeries.Layer.BATCH),
                    SeriesAssembler.assemble(query, uncovered, MetricSeries.Layer.LIVE));
        }, blocking);
    }

    /** The live layer's answer alone, whatever the batch layer holds (what reconciliation compares). */
    public CompletionStage<List<MetricSeries>> queryLiveOnly(MetricQuery query) {
        return queryLive(query).thenApply(live -> SeriesAssembler.assemble(query, live, MetricSeries.Layer.LIVE));
    }

    private CompletionStage<List<CellValue>> queryLive(MetricQuery query) {
        List<CompletableFuture<MetricPartition.Cells>> live = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            live.add(sharding.entityRefFor(MetricPartition.TYPE_KEY, Integer.toString(p))
                    .<MetricPartition.Cells>ask(replyTo -> new MetricPartition.QueryCells(query, replyTo), askTimeout)
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(live.toArray(CompletableFuture[]::new))
                .thenApplyAsync(done -> liveCells(query, live.stream().map(CompletableFuture::join).toList()), blocking);
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

    private List<MetricCellStore.PartitionCell> select(MetricQuery query) {
        try {
            return store.select(query);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the metrics read model: " + e.getMessage(), e);
        }
    }
}
