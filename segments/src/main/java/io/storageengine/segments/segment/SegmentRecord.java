package io.storageengine.segments.segment;

import io.storageengine.schemas.page.VersionKey;

/**
 * One record of a segment in key order, as {@link SegmentReader#scan()} yields it: the 57-byte
 * VersionKey ({@code PageKey | lsn}) and the StoredVersion bytes. Arrays are fresh copies owned
 * by the caller.
 */
public record SegmentRecord(byte[] key, byte[] value) {

    public long lsn() {
        return VersionKey.lsnOf(key);
    }

    public byte[] pageKey() {
        return VersionKey.pageKeyOf(key);
    }
}
