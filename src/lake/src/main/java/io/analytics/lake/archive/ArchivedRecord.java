package io.analytics.lake.archive;

import io.analytics.core.event.AnalyticsEvent;

/** One raw-topic record as archived: the event and where it was in the log. */
public record ArchivedRecord(AnalyticsEvent event, int partition, long offset, long brokerTime) {}
