package io.analytics.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Directories a benchmark writes files into and leaves nothing behind in. */
public final class TempDirectories {

    private TempDirectories() {}

    /** Deletes the directory and the files in it; it holds no subdirectories. */
    public static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }
}
