package io.analytics.lake.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A flat namespace of immutable objects, each written whole. Keys use {@code /} as separator. */
public interface ObjectStore extends AutoCloseable {

    /** Stores the file under the key, replacing any object there; returns once the store confirms it. */
    void put(String key, Path file) throws IOException;

    /** Keys under the prefix, in lexical order. */
    List<String> list(String prefix) throws IOException;

    /** Copies the object to {@code target} (replaced if present). */
    void get(String key, Path target) throws IOException;

    /** The object as a file on this machine, when the store keeps it as one (no copy needed). */
    default java.util.Optional<Path> localFile(String key) {
        return java.util.Optional.empty();
    }

    /** Where this store is, for messages: a directory or an {@code s3://bucket} URI. */
    String describe();

    @Override
    default void close() {}
}
