package io.analytics.lake.batch;

import io.analytics.core.metric.CellKey;
import io.analytics.core.metric.CellValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The cells of one window, dimension and event type as one value: per cell whether it has a dimension
 * value, the value (UTF-8), the event count, amount and unique users. The rest of the key is the row's.
 */
final class PackedCells {

    private PackedCells() {}

    static byte[] pack(List<CellValue> cells) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(cells.size() * 40);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(cells.size());
            for (CellValue cell : cells) {
                String value = cell.key().dimensionValue();
                out.writeBoolean(value != null);
                out.writeUTF(value == null ? "" : value);
                out.writeLong(cell.count());
                out.writeDouble(cell.amount());
                out.writeDouble(cell.uniqueUsers());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Adds the cells of {@code packed} to {@code cells}, keyed like {@code window} with their own dimension values. */
    static void unpack(CellKey window, byte[] packed, List<CellValue> cells) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(packed))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                boolean hasValue = in.readBoolean();
                String value = in.readUTF();
                CellKey key = new CellKey(window.projectId(), window.window(), window.windowStart(), window.dimension(),
                        hasValue ? value : null, window.eventType());
                cells.add(new CellValue(key, in.readLong(), in.readDouble(), in.readDouble()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("a batch view row is corrupt: " + e.getMessage(), e);
        }
    }
}
