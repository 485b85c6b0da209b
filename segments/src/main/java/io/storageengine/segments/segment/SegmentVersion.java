package io.storageengine.segments.segment;

/**
 * One version of a page read from a segment: its LSN and its StoredVersion bytes
 * ({@code type(1) | body}, see {@link io.storageengine.schemas.page.StoredVersion}).
 * The array is owned by the caller (a fresh copy per read).
 */
public record SegmentVersion(long lsn, byte[] value) {
}
