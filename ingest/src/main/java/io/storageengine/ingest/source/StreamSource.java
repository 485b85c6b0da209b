package io.storageengine.ingest.source;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where WAL streams come from. {@link #run} hands each stream to the handler in turn, on the
 * calling thread, until the source has no more or the handler returns false. Implementations are
 * single-use and not thread-safe, except {@link #close()}, which may be called from another thread
 * to stop a source that waits for streams.
 */
public interface StreamSource extends AutoCloseable {

    /** Receives one stream; returns false to stop the source. */
    @FunctionalInterface
    interface StreamHandler {
        boolean onStream(String name, InputStream in) throws IOException;
    }

    void run(StreamHandler handler) throws IOException;

    @Override
    default void close() throws IOException {
    }

    /** {@code -} for standard input, else a file path. */
    static StreamSource of(String spec) {
        return "-".equals(spec) ? stdin() : file(Path.of(spec));
    }

    /** One stream: the file. */
    static StreamSource file(Path path) {
        return handler -> {
            if (!Files.isReadable(path)) {
                throw new NoSuchFileException(path.toString(), null, "not a readable file");
            }
            try (InputStream in = new FileInputStream(path.toFile())) {
                handler.onStream(path.toString(), in);
            }
        };
    }

    /** One stream: standard input, read without an extra buffer (the decoder reads straight into its own). */
    static StreamSource stdin() {
        return handler -> handler.onStream("stdin", new FileInputStream(FileDescriptor.in));
    }

    static StreamSource tcp(int port, int maxConnections) throws IOException {
        return new TcpListenerSource(port, maxConnections);
    }
}
