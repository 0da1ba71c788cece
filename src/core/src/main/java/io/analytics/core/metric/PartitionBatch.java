package io.analytics.core.metric;

import io.analytics.core.event.AnalyticsEvent;
import io.analytics.core.window.Watermark;
import io.analytics.core.window.WindowSize;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pre-aggregates a run of consecutive records of one source partition into one delta per cell, so a
 * micro-batch of thousands of events becomes one journal write. Events are applied in offset order
 * against a watermark that advances with them; a window already closed when an event arrives does not
 * take it, and the event is counted as late.
 *
 * <p>A late event (one whose minute had closed when it was read) is also counted, under its own
 * dimension values, in the {@link CellKey#LATE} cells of the minute holding the partition's watermark
 * at that moment: its window of arrival. The watermark is a function of the records before it in the
 * partition, so a replay files every late event under the same window again.
 *
 * <p>Each event is added once, to the cells of the smallest window size still open for it; the larger
 * sizes are rolled up from those cells where the deltas are applied ({@link WindowCells}). This is
 * exact because a window closes no earlier than the smaller windows it contains: if an event's 1m
 * window is open, so are its 5m, 1h and 1d windows.
 */
public final class PartitionBatch {

    private static final WindowSize[] SIZES = WindowSize.values();

    private final List<Dimension> dimensions;
    private final long maxFutureSkewMillis;
    /**
     * The cells by dimension (in the order of {@link #dimensions}), value and window: a group's windows
     * side by side, so {@link #deltas()} gives each group's (value and event type) together, to be found
     * and rolled up from one another while they are still in the cache, however many windows disorder
     * spreads a batch over.
     */
    private final List<Map<String, Map<Window, Group>>> finest = new ArrayList<>();
    private int cells;
    private Watermark watermark;
    private long events;
    private long lateEvents;

    /**
     * @param dimensions the group-by dimensions to pre-aggregate, besides the ungrouped series
     * @param maxFutureSkewMillis how far ahead of the record's broker time an event may push the
     *     watermark; stops one producer with a wrong clock from closing every window
     */
    public PartitionBatch(List<Dimension> dimensions, Watermark start, long maxFutureSkewMillis) {
        this.dimensions = withUngrouped(dimensions);
        this.dimensions.forEach(d -> finest.add(new HashMap<>()));
        this.watermark = start;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
    }

    public void add(AnalyticsEvent event, long recordTimestamp) {
        events++;
        WindowSize smallestOpen = smallestOpenWindow(event.timestamp());
        if (smallestOpen != SIZES[0]) {
            lateEvents++;
            addLate(event);
        }
        if (smallestOpen != null) {
            addToWindow(event, smallestOpen, smallestOpen.startOf(event.timestamp()));
        }
        watermark = watermark.advance(Math.min(event.timestamp(), saturatedAdd(recordTimestamp, maxFutureSkewMillis)));
    }

    private WindowSize smallestOpenWindow(long eventTime) {
        for (WindowSize size : SIZES) {
            if (!watermark.isClosed(size, size.startOf(eventTime))) {
                return size;
            }
        }
        return null;
    }

    private void addToWindow(AnalyticsEvent event, WindowSize size, long windowStart) {
        Double amount = event.amount();
        long user = event.userId() == null ? 0 : UniqueUsers.hash(event.userId());
        Window window = new Window(event.projectId(), size, windowStart);
        for (int d = 0; d < dimensions.size(); d++) {
            Group group = group(window, d, event);
            BatchCell typed = group.cell(event.eventType(), this);
            typed.add(amount);
            if (amount != null) {
                typed.addToDistribution(amount);
            }
            BatchCell all = group.cell(CellKey.ALL_TYPES, this);
            all.add(amount);
            if (event.userId() != null) {
                all.addUser(user);
            }
        }
    }

    /** The minute holding the watermark ends after it, so it is open and takes the late count like any event. */
    private void addLate(AnalyticsEvent event) {
        Window window = new Window(event.projectId(), SIZES[0], SIZES[0].startOf(watermark.value()));
        for (int d = 0; d < dimensions.size(); d++) {
            group(window, d, event).cell(CellKey.LATE, this).add(event.amount());
        }
    }

    private Group group(Window window, int d, AnalyticsEvent event) {
        return finest.get(d).computeIfAbsent(dimensions.get(d).valueOf(event), v -> new HashMap<>(4))
                .computeIfAbsent(window, w -> new Group());
    }

    /**
     * One window of one project: a few per batch, as many as disorder spreads it over. Looked up for
     * every event and dimension, so its equality is written out: a record's generated one goes through
     * method handles, which cost many times more in code the JIT has not yet fully compiled.
     */
    private record Window(String projectId, WindowSize size, long start) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Window w && start == w.start && size == w.size && projectId.equals(w.projectId);
        }

        @Override
        public int hashCode() {
            return (projectId.hashCode() * 31 + size.ordinal()) * 31 + Long.hashCode(start);
        }
    }

    /** The cells of one dimension value in one window, by event type (a handful). */
    private static final class Group {
        private final Map<String, BatchCell> byType = new HashMap<>(8);

        BatchCell cell(String eventType, PartitionBatch batch) {
            BatchCell cell = byType.get(eventType);
            if (cell == null) {
                cell = new BatchCell();
                byType.put(eventType, cell);
                batch.cells++;
            }
            return cell;
        }
    }

    /**
     * One delta per cell events were added to: the finest window still open for each event. The larger
     * windows containing those cells are rolled up where the deltas are applied ({@link WindowCells#add}),
     * so a batch is serialised at the size of its finest cells only. A group's deltas come one after
     * another, which is what lets {@link WindowCells#add} find each from the last.
     */
    public List<CellDelta> deltas() {
        List<CellDelta> deltas = new ArrayList<>(cells);
        for (int d = 0; d < dimensions.size(); d++) {
            String dimension = dimensions.get(d).name();
            finest.get(d).forEach((value, windows) -> typesIn(windows).forEach(type -> windows.forEach((window, group) -> {
                BatchCell cell = group.byType.get(type);
                if (cell != null) {
                    deltas.add(cell.toDelta(new CellKey(window.projectId(), window.size(), window.start(), dimension, value, type)));
                }
            })));
        }
        return deltas;
    }

    private static Set<String> typesIn(Map<Window, Group> windows) {
        Set<String> types = new HashSet<>();
        windows.values().forEach(group -> types.addAll(group.byType.keySet()));
        return types;
    }

    /** Distinct cells of the finest open windows touched so far: what the batch's size grows with. */
    public int cells() {
        return cells;
    }

    public Watermark watermark() {
        return watermark;
    }

    public long events() {
        return events;
    }

    public long lateEvents() {
        return lateEvents;
    }

    private static List<Dimension> withUngrouped(List<Dimension> dimensions) {
        List<Dimension> all = new ArrayList<>();
        all.add(Dimension.NONE);
        dimensions.stream().filter(d -> !d.isNone()).distinct().forEach(all::add);
        return List.copyOf(all);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
