package io.storageengine.segments.segment;

import java.util.Objects;

/**
 * The fault-injection hooks of a segment store's file I/O, for drills and tests (see
 * {@link IoFault}): {@code read} runs before every data block a {@link SegmentReader} reads from
 * its file (point lookups that miss the block cache, scans); {@code write} before every write a
 * {@link SegmentWriter} makes to a new segment file (each flush of its 1 MiB write buffer; the
 * last one carries the index, filter and footer), so an error there fails the segment before it is published.
 * Immutable.
 */
public record SegmentFaults(IoFault read, IoFault write) {
    /** No fault anywhere. */
    public static final SegmentFaults NONE = new SegmentFaults(IoFault.NONE, IoFault.NONE);

    public SegmentFaults {
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(write, "write");
    }
}
