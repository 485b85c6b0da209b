package io.storageengine.segments.segment;

import io.storageengine.pagecore.Versioned;

/**
 * One version of a page read from a segment: its LSN and its StoredVersion bytes
 * ({@code type(1) | body}, see {@link io.storageengine.pagecore.StoredVersion}).
 * The array is owned by the caller (a fresh copy per read).
 */
public record SegmentVersion(long lsn, byte[] value) implements Versioned {
    @Override
    public byte[] stored() {
        return value;
    }
}
