package io.storageengine.compactor.internal;

import java.io.IOException;

/**
 * Writing a new segment file failed (a full disk, an I/O error, or the {@code segment-write}
 * failpoint of a drill): the job or L0 cut that wrote it left no file behind and registered
 * nothing. Wraps the cause and repeats its message, so the log line reads as the cause does
 * ("No space left on device"). The worker counts these apart from other failures
 * ({@code compactor_segment_write_failures_total}). Immutable.
 */
public final class SegmentWriteException extends IOException {
    private static final long serialVersionUID = 1L;

    public SegmentWriteException(String segment, IOException cause) {
        super("writing segment " + segment + ": " + cause.getMessage(), cause);
    }
}
