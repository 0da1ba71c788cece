package io.analytics.lake.batch;

import io.analytics.lake.archive.LakeLayout;
import io.analytics.lake.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The archive files of some UTC days as local files DuckDB can open: the store's own files when it
 * keeps them locally, otherwise copies in a staging folder that closing deletes.
 */
final class DayFiles implements AutoCloseable {

    final List<String> keys;
    final List<Path> files;
    private final Path staging;

    private DayFiles(List<String> keys, List<Path> files, Path staging) {
        this.keys = keys;
        this.files = files;
        this.staging = staging;
    }

    static DayFiles stage(ObjectStore store, List<String> keys, Path staging) throws IOException {
        List<Path> files = new ArrayList<>(keys.size());
        for (String key : keys) {
            var local = store.localFile(key);
            if (local.isPresent()) {
                files.add(local.get());
                continue;
            }
            Path target = staging.resolve(key);
            Files.createDirectories(target.getParent());
            store.get(key, target);
            files.add(target);
        }
        return new DayFiles(keys, files, staging);
    }

    static List<String> keys(ObjectStore store, LocalDate from, LocalDate to) throws IOException {
        List<String> keys = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            keys.addAll(store.list(LakeLayout.dayPrefix(day)));
        }
        return keys;
    }

    /** {@code read_parquet([...])} over these files. */
    String scan() {
        StringBuilder list = new StringBuilder("read_parquet([");
        for (int i = 0; i < files.size(); i++) {
            list.append(i == 0 ? "'" : ", '").append(files.get(i).toString().replace("'", "''")).append('\'');
        }
        return list.append("])").toString();
    }

    /** An in-process DuckDB bounded by the batch settings, spilling to the staging folder. */
    static Connection duckdb(BatchRecompute.Settings settings) throws SQLException, IOException {
        Path spill = Files.createDirectories(settings.stagingDir().resolve("duckdb-tmp"));
        Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = duck.createStatement()) {
            s.execute("SET memory_limit = '" + settings.memoryLimit().replace("'", "") + "'");
            s.execute("SET threads = " + settings.threads());
            s.execute("SET temp_directory = '" + spill.toString().replace("'", "''") + "'");
        } catch (SQLException e) {
            duck.close();
            throw e;
        }
        return duck;
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(staging)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(staging)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
