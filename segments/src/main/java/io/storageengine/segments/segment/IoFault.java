package io.storageengine.segments.segment;

import java.io.IOException;

/**
 * A place in segment file I/O where a drill or a test makes the I/O fail or stall on purpose: the
 * reader calls its read fault before every data block it reads from a file, the writer its write
 * fault before every write to a new segment file ({@link SegmentFaults}). Production wires the
 * runtime library's failpoints here ({@code failpoints.point("segment-read")::hit}); everything
 * else uses {@link #NONE}. Implementations must be thread-safe and cheap when inactive.
 */
@FunctionalInterface
public interface IoFault {
    /** Never fails. */
    IoFault NONE = () -> {
    };

    /** Returns at once, sleeps (a slow disk), or throws the I/O error to inject (a full disk). */
    void check() throws IOException;
}
