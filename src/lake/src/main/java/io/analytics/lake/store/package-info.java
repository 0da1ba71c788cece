/**
 * Where lake files live: an {@link io.analytics.lake.store.ObjectStore} of whole, immutable objects
 * addressed by key. A local directory by default (embedded mode), S3 or an S3-compatible server when
 * configured. A put is confirmed only once the object is durable and visible under its key, and a
 * put of an existing key replaces it whole: that is what makes archive retries overwrite, not duplicate.
 */
package io.analytics.lake.store;
