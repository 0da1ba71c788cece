package io.analytics.lake.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory. A put copies to a temporary name, forces it to disk and
 * renames it atomically, so a reader never sees half an object and a crash leaves no partial one.
 */
public final class LocalDirectoryStore implements ObjectStore {

    private static final String PARTIAL = ".partial";

    private final Path root;

    public LocalDirectoryStore(Path root) throws IOException {
        this.root = Files.createDirectories(root.toAbsolutePath());
    }

    public Path root() {
        return root;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(target.getFileName() + PARTIAL);
        Files.copy(file, partial, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Path start = resolve(prefix.isEmpty() ? "." : prefix);
        Path walkFrom = Files.isDirectory(start) ? start : start.getParent();
        if (walkFrom == null || !Files.isDirectory(walkFrom)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(walkFrom)) {
            return files.filter(Files::isRegularFile)
                    .map(path -> root.relativize(path).toString().replace('\\', '/'))
                    .filter(key -> key.startsWith(prefix) && !key.endsWith(PARTIAL))
                    .sorted()
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void get(String key, Path target) throws IOException {
        Files.copy(resolve(key), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public java.util.Optional<Path> localFile(String key) {
        return java.util.Optional.of(resolve(key));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private Path resolve(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("object key escapes the store: " + key);
        }
        return path;
    }
}
