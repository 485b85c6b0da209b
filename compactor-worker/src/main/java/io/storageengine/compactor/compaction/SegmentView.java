package io.storageengine.compactor.compaction;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the planner knows about one active segment: metadata only, never its contents.
 * Offsets are Kafka offsets of the segment's partition: DELTA segments cover
 * {@code [startOffset, endOffset)}; an IMAGE segment's cut is {@code endOffset}. Keys are 57-byte
 * VersionKeys (inclusive range). Immutable (arrays copied).
 */
public record SegmentView(long id, SegmentKind kind, int level, int partition, long startOffset, long endOffset,
                          byte[] minKey, byte[] maxKey, long minLsn, long maxLsn, long sizeBytes) {

    public SegmentView {
        Objects.requireNonNull(kind, "kind");
        minKey = minKey.clone();
        maxKey = maxKey.clone();
        if (endOffset < startOffset) {
            throw new IllegalArgumentException("segment " + id + " ends at offset " + endOffset + " before " + startOffset);
        }
    }

    @Override
    public byte[] minKey() {
        return minKey.clone();
    }

    @Override
    public byte[] maxKey() {
        return maxKey.clone();
    }

    public boolean isL0() {
        return kind == SegmentKind.DELTA && level == 0;
    }

    public boolean isL1() {
        return kind == SegmentKind.DELTA && level >= 1;
    }

    public boolean isImage() {
        return kind == SegmentKind.IMAGE;
    }

    /** The single timeline this segment holds, or null if its key range spans several (L0). */
    public TimelineKey timelineOrNull() {
        if (!Arrays.equals(minKey, 0, TimelineKey.SIZE, maxKey, 0, TimelineKey.SIZE)) {
            return null;
        }
        return TimelineKey.read(ByteBuffer.wrap(minKey, 0, TimelineKey.SIZE));
    }

    /** Whether page {@code pageKey} (49 bytes) lies in this segment's key range. */
    public boolean mayHoldPage(byte[] pageKey) {
        return Arrays.compareUnsigned(minKey, 0, PageKey.SIZE, pageKey, 0, PageKey.SIZE) <= 0
                && Arrays.compareUnsigned(maxKey, 0, PageKey.SIZE, pageKey, 0, PageKey.SIZE) >= 0;
    }

    /** Whether any key of timeline {@code t} lies in this segment's key range. */
    public boolean mayHoldTimeline(TimelineKey t) {
        byte[] tk = t.toBytes();
        return Arrays.compareUnsigned(minKey, 0, TimelineKey.SIZE, tk, 0, TimelineKey.SIZE) <= 0
                && Arrays.compareUnsigned(maxKey, 0, TimelineKey.SIZE, tk, 0, TimelineKey.SIZE) >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentView s && id == s.id && kind == s.kind && level == s.level && partition == s.partition
                && startOffset == s.startOffset && endOffset == s.endOffset && Arrays.equals(minKey, s.minKey)
                && Arrays.equals(maxKey, s.maxKey) && minLsn == s.minLsn && maxLsn == s.maxLsn && sizeBytes == s.sizeBytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Long.hashCode(startOffset);
    }

    @Override
    public String toString() {
        return "seg#" + id + "[" + kind + " L" + level + " p" + partition + " off " + startOffset + ".." + endOffset
                + " lsn " + minLsn + ".." + maxLsn + " " + sizeBytes + "B]";
    }
}
