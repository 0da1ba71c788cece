/**
 * Ingest: {@code POST /api/v1/events}. Authenticates the project by API key, validates each event
 * (core rules), drops events whose id the project already sent ({@link io.analytics.ingest.AcceptedEventIds}),
 * publishes the rest to the raw topic with an idempotent, acks=all producer ({@link io.analytics.ingest.EventPublisher})
 * and answers 202 only once Kafka has them.
 *
 * <p>Public surface: {@link io.analytics.ingest.IngestRoutes} and what it is built from. Depends on the
 * core and kafka-clients; knows nothing of the stream processing downstream.
 */
package io.analytics.ingest;
