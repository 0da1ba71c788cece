/**
 * The batch layer: exact hourly and daily cells recomputed from the lake's Parquet files with an
 * embedded DuckDB ({@link io.analytics.lake.batch.BatchRecompute}), kept per UTC day in the node's
 * database ({@link io.analytics.lake.batch.BatchViewStore}, which the metrics API reads through
 * {@link io.analytics.query.BatchViews}), and compared with the live layer
 * ({@link io.analytics.lake.batch.Reconciliation}).
 */
package io.analytics.lake.batch;
