package io.analytics.lake.archive;

import java.util.Map;

/**
 * What the archiver has done and how far behind it is. {@code lagRecords} counts records of the raw
 * topic not yet safely in the store (end offset minus committed offset, over the partitions this node
 * archives); {@code lastError} is the latest failure the archiver is retrying from, or null.
 */
public record ArchiverStatus(
        String consumerGroup,
        String store,
        long lagRecords,
        Map<Integer, Long> lagByPartition,
        long archivedRecords,
        long malformedRecords,
        long files,
        long bytes,
        long lastUploadAt,
        String lastError) {}
