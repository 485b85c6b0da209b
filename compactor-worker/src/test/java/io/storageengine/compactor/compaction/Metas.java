package io.storageengine.compactor.compaction;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;

/** Test helpers: timelines, page keys and segment metadata. */
final class Metas {
    private Metas() {
    }

    static TimelineKey timeline(int t) {
        return new TimelineKey(new TenantId(1, t), new TimelineId(7, t));
    }

    static byte[] page(int t, int block) {
        return new PageKey(timeline(t), new PageRef(1663, 5, 16384, 0, block)).toBytes();
    }

    static byte[] key(int t, int block, long lsn) {
        return VersionKey.encode(page(t, block), lsn);
    }

    static SegmentView l0(long id, long start, long end, long size) {
        return new SegmentView(id, SegmentKind.DELTA, 0, 0, start, end, key(1, 0, 1), key(3, 100, 1000), 1, 1000, size);
    }

    static SegmentView l1(long id, int t, long start, long end, long maxLsn) {
        return new SegmentView(id, SegmentKind.DELTA, 1, 0, start, end, key(t, 0, 1), key(t, 100, maxLsn), 1, maxLsn, 100);
    }

    static SegmentView l1(long id, int t, long start, long end, long maxLsn, long size) {
        return new SegmentView(id, SegmentKind.DELTA, 1, 0, start, end, key(t, 0, 1), key(t, 100, maxLsn), 1, maxLsn, size);
    }

    static SegmentView image(long id, int t, long cut, long maxLsn) {
        return new SegmentView(id, SegmentKind.IMAGE, 1, 0, 0, cut, key(t, 0, 1), key(t, 100, maxLsn), 1, maxLsn, 100);
    }
}
