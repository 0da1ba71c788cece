package io.analytics.core.metric;

import io.analytics.core.window.WindowSize;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
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

    /** Every cell by key: what a delta's merge looks up, once per window size it rolls into. */
    private final Map<CellKey, MetricCell> cells = new HashMap<>();
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
        MetricCell added = MetricCell.of(delta);
        CellKey key = delta.key();
        for (int i = key.window().ordinal(); i < SIZES.length; i++) {
            cell(i == key.window().ordinal() ? key : key.resized(SIZES[i])).merge(added);
        }
    }

    /** Adds a delta to its own cell only: for deltas that were rolled up before they were journaled. */
    public void addExactly(CellDelta delta) {
        cell(delta.key()).merge(delta);
    }

    /** Puts a cell as it is, replacing any cell of the same key. */
    public void put(CellKey key, MetricCell cell) {
        if (cells.put(key, cell) == null) {
            index(key);
        }
    }

    public MetricCell get(CellKey key) {
        return cells.get(key);
    }

    public int size() {
        return cells.size();
    }

    public void forEach(BiConsumer<CellKey, MetricCell> action) {
        cells.forEach(action);
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
        forEachEndingBy(watermark, key -> copy.put(key, cells.get(key).copy(key)));
        return copy;
    }

    /** The values, with both sketches, of the cells whose window ends at or before {@code watermark}. */
    public List<CellValue> valuesEndingBy(long watermark) {
        List<CellValue> values = new ArrayList<>();
        forEachEndingBy(watermark, key -> values.add(cells.get(key).value(key)));
        return values;
    }

    /** Drops every cell whose window ends at or before {@code watermark}. */
    public void releaseEndingBy(long watermark) {
        series.entrySet().removeIf(entry -> {
            NavigableMap<Long, List<CellKey>> released = entry.getValue().headMap(lastStartEndingBy(watermark, entry.getKey()), true);
            released.values().forEach(keys -> keys.forEach(cells::remove));
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
                keys -> keys.forEach(key -> values.add(cells.get(key).value(key, query.metric()))));
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

    private MetricCell cell(CellKey key) {
        MetricCell cell = cells.get(key);
        if (cell == null) {
            cell = new MetricCell();
            cells.put(key, cell);
            index(key);
        }
        return cell;
    }

    private void index(CellKey key) {
        series.computeIfAbsent(Series.of(key), s -> new TreeMap<>()).computeIfAbsent(key.windowStart(), s -> new ArrayList<>()).add(key);
    }
}
