package io.storageengine.segments.segment;

import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.wal.Lsn;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a segment's footer says about it: kind, level, Kafka partition, key and LSN ranges
 * (inclusive), record and block counts, and the file size. Returned by
 * {@link SegmentWriter#finish()} and {@link SegmentReader#info()}; the catalog registers it.
 * Immutable (key arrays are copied in and out).
 */
public record SegmentInfo(
        int formatVersion,
        SegmentKind kind,
        int level,
        int partition,
        long recordCount,
        int blockCount,
        long minLsn,
        long maxLsn,
        byte[] minKey,
        byte[] maxKey,
        long fileSize) {

    public SegmentInfo {
        Objects.requireNonNull(kind, "kind");
        minKey = minKey.clone();
        maxKey = maxKey.clone();
    }

    @Override
    public byte[] minKey() {
        return minKey.clone();
    }

    @Override
    public byte[] maxKey() {
        return maxKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentInfo s && formatVersion == s.formatVersion && kind == s.kind && level == s.level
                && partition == s.partition && recordCount == s.recordCount && blockCount == s.blockCount
                && minLsn == s.minLsn && maxLsn == s.maxLsn && Arrays.equals(minKey, s.minKey)
                && Arrays.equals(maxKey, s.maxKey) && fileSize == s.fileSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, level, partition, recordCount, minLsn, maxLsn, Arrays.hashCode(minKey), fileSize);
    }

    @Override
    public String toString() {
        return "SegmentInfo[v" + formatVersion + " " + kind + " L" + level + " p" + partition + " records=" + recordCount
                + " blocks=" + blockCount + " lsn=" + Lsn.of(minLsn) + ".." + Lsn.of(maxLsn)
                + " keys=" + HexFormat.of().formatHex(minKey, 0, Math.min(minKey.length, VersionKey.SIZE)) + ".."
                + HexFormat.of().formatHex(maxKey) + " size=" + fileSize + "]";
    }
}
