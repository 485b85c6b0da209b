package io.storageengine.segments.segment;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.RecordType;
import java.util.Arrays;

/** Test helpers: page keys and stored values. */
final class TestKeys {
    static final TimelineKey TIMELINE = new TimelineKey(new TenantId(1, 2), new TimelineId(3, 4));

    private TestKeys() {
    }

    /** Page key of block {@code block} of relation 16384; ordered by block. */
    static byte[] page(int block) {
        return new PageKey(TIMELINE, new PageRef(1663, 5, 16384, 0, block)).toBytes();
    }

    static byte[] image(long seed) {
        byte[] page = new byte[8192];
        Arrays.fill(page, (byte) seed);
        page[0] = (byte) (seed >>> 8);
        return StoredVersion.image(page);
    }

    /** A delta value of {@code size} bytes total, content derived from {@code seed}. */
    static byte[] delta(long seed, int size) {
        byte[] v = new byte[Math.max(size, 8)];
        v[0] = RecordType.PAGE_DELTA.codeByte();
        for (int i = 1; i < v.length; i++) {
            v[i] = (byte) (seed * 31 + i);
        }
        return v;
    }
}
