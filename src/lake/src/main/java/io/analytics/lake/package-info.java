/**
 * The data lake and the batch layer (the Lambda architecture's other half).
 *
 * <p>{@link io.analytics.lake.archive} keeps every raw event forever: its own Kafka consumer group on
 * the raw topic writes Parquet files, partitioned by event hour, to an {@link io.analytics.lake.store
 * object store} (a local directory or S3), committing offsets only once the store has the files.
 * {@link io.analytics.lake.batch} recomputes exact hourly and daily aggregates from those files with an
 * embedded DuckDB into batch views, which the metrics API serves for windows the batch covers;
 * it also reconciles them with the live layer and replays archived events into a topic of one's own.
 *
 * <p>Boundaries: reads the raw topic and the lake, writes the lake and its own tables (batch views);
 * never touches the live layer's state. Depends on the core (events, dimensions, windows) and on the
 * query module only for the interface through which the metrics API reads batch views.
 */
package io.analytics.lake;
