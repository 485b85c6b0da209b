package io.storageengine.postgres.wal;

import java.io.IOException;
import java.nio.file.Path;

/** Test helper for other test packages: writes {@link XLogReaderTest#mixed()} segments to a directory. */
public final class TestSegments {
    private TestSegments() {
    }

    public static Path mixed(Path dir) throws IOException {
        return XLogReaderTest.mixed().writeTo(dir);
    }
}
