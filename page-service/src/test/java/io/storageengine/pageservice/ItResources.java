package io.storageengine.pageservice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an integration test started and must undo: closeables (closed in reverse order of
 * registration) and temporary directories (deleted after them). One per test instance, closed
 * from {@code @AfterEach}. Not thread-safe: register from the test thread.
 */
public final class ItResources implements AutoCloseable {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    public void add(AutoCloseable resource) {
        toClose.add(resource);
    }

    /** Forgets a resource the test closed itself. */
    public void remove(AutoCloseable resource) {
        toClose.remove(resource);
    }

    public Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        dirs.add(dir);
        return dir;
    }

    @Override
    public void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
        for (Path d : dirs) {
            try (Stream<Path> files = Files.walk(d)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        dirs.clear();
    }
}
