package io.storageengine.catalog.segmentmap;

import io.storageengine.schemas.segment.SegmentKind;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the catalog records about a segment: its unique name, the footer facts, where it is
 * stored ({@code store} = the SegmentStore's name, {@code location} = its address there) and, for
 * L0 segments, the Kafka offsets {@code [offsetStart, offsetEnd)} it was built from (-1 when
 * unknown). The catalog does not read segment files: the segments module builds this from a
 * finished file's footer ({@code io.storageengine.segments.store.SegmentMetas}). Immutable (key
 * arrays are copied).
 */
public record SegmentMeta(
        String name,
        SegmentKind kind,
        int level,
        int partition,
        byte[] minKey,
        byte[] maxKey,
        long minLsn,
        long maxLsn,
        long sizeBytes,
        long recordCount,
        String store,
        String location,
        long offsetStart,
        long offsetEnd) {

    public SegmentMeta {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(location, "location");
        minKey = minKey.clone();
        maxKey = maxKey.clone();
        if ((offsetStart < 0) != (offsetEnd < 0) || offsetEnd < offsetStart) {
            throw new IllegalArgumentException("offsets [" + offsetStart + ", " + offsetEnd + ") are not a range");
        }
    }

    public boolean hasOffsets() {
        return offsetStart >= 0;
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
        return o instanceof SegmentMeta m && name.equals(m.name) && kind == m.kind && level == m.level
                && partition == m.partition && Arrays.equals(minKey, m.minKey) && Arrays.equals(maxKey, m.maxKey)
                && minLsn == m.minLsn && maxLsn == m.maxLsn && sizeBytes == m.sizeBytes && recordCount == m.recordCount
                && store.equals(m.store) && location.equals(m.location) && offsetStart == m.offsetStart
                && offsetEnd == m.offsetEnd;
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "SegmentMeta[" + name + " " + kind + " L" + level + " p" + partition + " lsn " + minLsn + ".." + maxLsn
                + " records=" + recordCount + " size=" + sizeBytes + " at " + store + ":" + location
                + (hasOffsets() ? " offsets [" + offsetStart + "," + offsetEnd + ")" : "") + "]";
    }
}
