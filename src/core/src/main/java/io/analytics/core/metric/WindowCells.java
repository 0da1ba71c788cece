package io.analytics.core.metric;

import io.analytics.core.window.WindowSize;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The cells of the windows one partition holds, grouped by series (project, window size, dimension,
 * event type) and ordered by window start within a series. A query reads only the windows of its own
 * series, however many other cells are open, and closing or releasing windows touches whole windows.
 *
 * <p>Deltas arrive for the finest window their events fell in ({@link PartitionBatch#deltas()}) and
 * {@link #add(CellDelta) add} rolls each up into every larger window containing it, here rather than
 * in the batch, so that a micro-batch is serialised (to the journal, to another node) at a quarter of
 * the size. This is exact because a window closes no earlier than the smaller windows it contains.
 *
 * <p>Mutable and owned by one thread, like {@link MetricCell}.
 */
public final class WindowCells {

    private static final WindowSize[] SIZES = WindowSize.values();

    private record Series(String projectId, WindowSize window, String dimension, String eventType) {

        static Series of(CellKey key) {
            return new Series(key.projectId(), key.window(), key.dimension(), key.eventType());
        }
    }

    /** Every cell by key: what a delta's merge looks up, once, to roll up along the cell's {@link Link}s. */
    private final Map<CellKey, Link> cells = new HashMap<>();
    /** The link the last delta was added through: where the next one's search starts ({@link #entry}). */
    private Link lastEntered;
    /** The keys of each series by window start: what queries and releases walk. Changes only when a cell is created or dropped. */
    private final Map<Series, NavigableMap<Long, List<CellKey>>> series = new HashMap<>();

    /** The cells {@code deltas} make once rolled up: every window size that contains theirs. */
    public static WindowCells rolledUp(Collection<CellDelta> deltas) {
        WindowCells cells = new WindowCells();
        deltas.forEach(cells::add);
        return cells;
    }

    /** Adds a delta to its cell and to the cell of every larger window containing it. */
    public void add(CellDelta delta) {
        MetricCell added = MetricCell.view(delta);
        lastEntered = entry(delta.key());
        for (Link link = lastEntered; link != null; link = larger(link)) {
            link.cell.merge(added);
            link.cell.addValues(delta);
        }
    }

    /**
     * The link of {@code key}. A batch's deltas come group by group ({@link PartitionBatch#deltas()}),
     * so the last delta's link is usually of the same group and a nearby window: up from it to a window
     * containing {@code key}'s and down again finds the cell through links that are already warm.
     */
    private Link entry(CellKey key) {
        if (lastEntered == null || !sameGroup(lastEntered.key, key)) {
            return link(key);
        }
        Link near = lastEntered;
        while (near != null && !near.contains(key)) {
            near = larger(near);
        }
        if (near == null) {
            return link(key);
        }
        while (near.key.window() != key.window()) {
            near = smaller(near, key);
        }
        return near;
    }

    private static boolean sameGroup(CellKey a, CellKey b) {
        return a.projectId().equals(b.projectId()) && a.eventType().equals(b.eventType())
                && a.dimension().equals(b.dimension()) && Objects.equals(a.dimensionValue(), b.dimensionValue());
    }

    /** Adds a delta to its own cell only: for deltas that were rolled up before they were journaled. */
    public void addExactly(CellDelta delta) {
        link(delta.key()).cell.merge(delta);
    }

    /** Puts a cell as it is, replacing any cell of the same key. */
    public void put(CellKey key, MetricCell cell) {
        Link link = cells.get(key);
        if (link == null) {
            cells.put(key, new Link(key, cell));
            index(key);
            return;
        }
        link.cell = cell;
    }

    public MetricCell get(CellKey key) {
        Link link = cells.get(key);
        return link == null ? null : link.cell;
    }

    public int size() {
        return cells.size();
    }

    public void forEach(BiConsumer<CellKey, MetricCell> action) {
        cells.forEach((key, link) -> action.accept(key, link.cell));
    }

    /** Whether some cell's window ends in ({@code after}, {@code through}]. */
    public boolean hasWindowEndingIn(long after, long through) {
        for (var entry : series.entrySet()) {
            Series s = entry.getKey();
            if (!entry.getValue().subMap(lastStartEndingBy(after, s), false, lastStartEndingBy(through, s), true).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Copies of the cells whose window ends at or before {@code watermark}. */
    public WindowCells copyEndingBy(long watermark) {
        WindowCells copy = new WindowCells();
        forEachEndingBy(watermark, key -> copy.put(key, get(key).copy(key)));
        return copy;
    }

    /** The values, with both sketches, of the cells whose window ends at or before {@code watermark}. */
    public List<CellValue> valuesEndingBy(long watermark) {
        List<CellValue> values = new ArrayList<>();
        forEachEndingBy(watermark, key -> values.add(get(key).value(key)));
        return values;
    }

    /** Drops every cell whose window ends at or before {@code watermark}. */
    public void releaseEndingBy(long watermark) {
        lastEntered = null;
        series.entrySet().removeIf(entry -> {
            NavigableMap<Long, List<CellKey>> released = entry.getValue().headMap(lastStartEndingBy(watermark, entry.getKey()), true);
            released.values().forEach(keys -> keys.forEach(this::drop));
            released.clear();
            return entry.getValue().isEmpty();
        });
    }

    /** The cells {@code query} reads, each with only the sketch its metric needs. */
    public List<CellValue> select(MetricQuery query) {
        NavigableMap<Long, List<CellKey>> windows = series.get(
                new Series(query.projectId(), query.cellSize(), query.groupBy().name(), query.cellEventType()));
        if (windows == null) {
            return List.of();
        }
        List<CellValue> values = new ArrayList<>();
        windows.subMap(query.cellsFrom(), true, query.cellsTo(), false).values().forEach(
                keys -> keys.forEach(key -> values.add(get(key).value(key, query.metric()))));
        return values;
    }

    private void forEachEndingBy(long watermark, Consumer<CellKey> action) {
        series.forEach((s, windows) -> windows.headMap(lastStartEndingBy(watermark, s), true).values()
                .forEach(keys -> keys.forEach(action)));
    }

    /** The latest start of a window of the series that ends at or before {@code watermark}. */
    private static long lastStartEndingBy(long watermark, Series s) {
        long length = s.window().millis();
        return watermark < Long.MIN_VALUE + length ? Long.MIN_VALUE : watermark - length;
    }

    private Link link(CellKey key) {
        Link link = cells.get(key);
        if (link == null) {
            link = new Link(key, new MetricCell());
            cells.put(key, link);
            index(key);
        }
        return link;
    }

    /** The link of the next larger window containing {@code link}'s, looked up on the first roll-up through it; null at the largest. */
    private Link larger(Link link) {
        int next = link.key.window().ordinal() + 1;
        if (link.larger == null && next < SIZES.length) {
            Link larger = link(link.key.resized(SIZES[next]));
            larger.smaller[larger.indexOf(link.key)] = link;
            link.larger = larger;
        }
        return link.larger;
    }

    /** The link of the next smaller window within {@code link}'s that contains {@code key}'s, looked up the first time. */
    private Link smaller(Link link, CellKey key) {
        WindowSize size = SIZES[link.key.window().ordinal() - 1];
        int index = link.indexOf(key);
        if (link.smaller[index] == null) {
            Link smaller = link(key.resized(size));
            smaller.larger = link;
            link.smaller[index] = smaller;
        }
        return link.smaller[index];
    }

    /** A released link leaves the larger one, which may be held longer; the smaller ones within it are released already. */
    private void drop(CellKey key) {
        Link link = cells.remove(key);
        if (link.larger != null) {
            link.larger.smaller[link.larger.indexOf(key)] = null;
        }
    }

    /**
     * A cell with the links of the next larger window containing it and of the next smaller windows
     * within it, each found once, so that a delta rolls up through every window size with one map
     * lookup at most. No link goes stale: a window ends no later than the larger ones containing it, so
     * it is released no later and leaves them ({@link #drop}), and {@link #put} replaces a cell in its link.
     */
    private static final class Link {
        private final CellKey key;
        private final Link[] smaller;
        private MetricCell cell;
        private Link larger;

        Link(CellKey key, MetricCell cell) {
            this.key = key;
            this.cell = cell;
            int ordinal = key.window().ordinal();
            this.smaller = ordinal == 0 ? null : new Link[(int) (key.window().millis() / SIZES[ordinal - 1].millis())];
        }

        boolean contains(CellKey other) {
            return key.window().ordinal() >= other.window().ordinal() && key.windowStart() == key.window().startOf(other.windowStart());
        }

        /** Which of the next smaller windows within this one holds {@code other}'s start. */
        int indexOf(CellKey other) {
            return (int) ((other.windowStart() - key.windowStart()) / SIZES[key.window().ordinal() - 1].millis());
        }
    }

    private void index(CellKey key) {
        series.computeIfAbsent(Series.of(key), s -> new TreeMap<>()).computeIfAbsent(key.windowStart(), s -> new ArrayList<>()).add(key);
    }
}
