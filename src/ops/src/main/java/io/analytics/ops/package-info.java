/**
 * Operating a node: what an orchestrator and an operator see of it.
 *
 * <p>Its job: liveness and readiness ({@link io.analytics.ops.OpsRoutes}, {@link io.analytics.ops.Readiness}),
 * the node's meters in Prometheus format ({@link io.analytics.ops.Telemetry}, one Micrometer registry per node,
 * which other modules record to), consumer lag ({@link io.analytics.ops.ConsumerLag}), trace ids that travel
 * from ingest through Kafka headers into log MDCs ({@link io.analytics.ops.TraceIds}), the log format, and how a
 * node finds its cluster ({@link io.analytics.ops.ClusterFormation}: seed nodes, itself, or Pekko Management
 * cluster bootstrap through the Kubernetes API).
 *
 * <p>Boundaries: it knows nothing of events, windows or entities. Modules that process events depend on it for
 * meters and trace ids; it learns about consumers only through {@link io.analytics.ops.ConsumerProgress}.
 */
package io.analytics.ops;
