/**
 * One cluster node: reads the configuration ({@code application.conf}, or {@code embedded.conf} for
 * {@code ./analytics up}), starts what the node depends on (the embedded Kafka broker and database file
 * in the embedded default), creates tables and the raw topic, wires ingest, stream processing and query
 * onto one actor system and one HTTP server, and stops them in reverse order.
 *
 * <p>Public surface: {@link io.analytics.node.AnalyticsMain} (the launcher's entry point) and
 * {@link io.analytics.node.AnalyticsNode} (start and stop a node in-process, as the tests do). The only
 * module that depends on all others; none depends on it.
 */
package io.analytics.node;
