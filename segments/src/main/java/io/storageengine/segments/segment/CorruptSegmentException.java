package io.storageengine.segments.segment;

import java.nio.file.Path;

/**
 * A segment file failed a check (magic, checksum, structure). Names the file and the byte offset
 * of the damaged part. Readers raise it instead of ever serving data they could not verify.
 */
public final class CorruptSegmentException extends RuntimeException {
    private final transient Path file;
    private final long offset;

    public CorruptSegmentException(Path file, long offset, String what) {
        super("corrupt segment " + file + " at offset " + offset + ": " + what);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
