/**
 * What every endpoint of the public API shares: the {@code X-API-Key} header and how it resolves to a
 * project, and JSON answers, errors included ({@code {"error": "..."}}). Endpoints live in the
 * modules of their capability (ingest, query, orders); this module holds only the common ground.
 */
package io.analytics.api;
