package io.analytics.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dedupe directory, where sealed hours keep their ids. Its files hold nothing that outlives the
 * node: after a restart the index is rebuilt from the raw topic, so whatever a previous run left is
 * deleted at start. Only files of the index's own kind are deleted, so a directory set by mistake to
 * one that holds other data loses none of it.
 */
final class IdFiles {

    /** 2^27 ids, 1 GiB a mapping: a mapped buffer cannot reach past 2 GiB. */
    static final int CHUNK_BITS = 27;

    private static final String SUFFIX = ".ids";

    private final Path directory;
    private final int chunkBits;
    /** Tells this index's files from those a node closed in the same JVM may still be writing. */
    private final String instance = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final AtomicLong generation = new AtomicLong();

    IdFiles(Path directory) {
        this(directory, CHUNK_BITS);
    }

    /** {@code chunkBits}: the ids a mapping holds, as a power of two; tests make it small to cross chunks. */
    IdFiles(Path directory, int chunkBits) {
        this.directory = directory;
        this.chunkBits = chunkBits;
        try {
            Files.createDirectories(directory);
            deleteLeftovers();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the dedupe directory " + directory, e);
        }
    }

    int chunkBits() {
        return chunkBits;
    }

    /** A name no file has had yet, for a new seal of the hour starting at {@code hourStart}. */
    Path newFile(long hourStart) {
        return directory.resolve(instance + "-" + hourStart + "-" + generation.incrementAndGet() + SUFFIX);
    }

    private void deleteLeftovers() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }
}
