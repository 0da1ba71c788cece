package io.analytics.query;

import io.analytics.core.metric.CellValue;
import io.analytics.core.metric.MetricQuery;
import java.util.List;

/**
 * The batch layer as the metrics API sees it: exact cells recomputed from the data lake, for the time
 * ranges the batch has covered. Windows wholly inside a covered range are answered from here; all
 * others from the live layer.
 */
public interface BatchViews {

    /** A half-open range of event time [start, end) the batch layer has recomputed. */
    record Range(long start, long end) {
        public boolean contains(long windowStart, long windowEnd) {
            return windowStart >= start && windowEnd <= end;
        }
    }

    /** The covered ranges that meet the query, and the batch cells of the query's windows in them. */
    record Answer(List<Range> covered, List<CellValue> cells) {
        public static final Answer NOTHING = new Answer(List.of(), List.of());

        public boolean covers(long windowStart, long windowEnd) {
            return covered.stream().anyMatch(range -> range.contains(windowStart, windowEnd));
        }
    }

    /** No batch layer: every window comes from the live layer. */
    BatchViews NONE = query -> Answer.NOTHING;

    Answer select(MetricQuery query);
}
