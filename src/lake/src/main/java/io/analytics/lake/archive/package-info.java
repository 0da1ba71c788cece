/**
 * The archiver: a Kafka consumer group of its own on the raw topic that writes every record to Parquet
 * files in the object store, one file per Kafka partition, offset range and event hour.
 *
 * <p>Exactly-once files: a file's key is derived from its Kafka partition and offset range, and the
 * offsets are committed only once the store has confirmed every file of the range. Before uploading,
 * the archiver commits the range it is about to write as offset metadata; a successor that finds that
 * intent rolls its first files at exactly the same offset, so a retry overwrites the same keys instead
 * of writing the same records under other names.
 */
package io.analytics.lake.archive;
