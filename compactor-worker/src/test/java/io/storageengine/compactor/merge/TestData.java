package io.storageengine.compactor.merge;

import io.storageengine.pagecore.ApplyContext;
import io.storageengine.pagecore.PageApplyException;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.segments.segment.SegmentInfo;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.segments.store.SegmentStore;
import io.storageengine.testsupport.PagePayloads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Test helpers: random valid page versions, segments written from them, and a reference model. */
public final class TestData {
    private TestData() {
    }

    public static TimelineKey timeline(int t) {
        return new TimelineKey(new TenantId(9, t), new TimelineId(8, t));
    }

    public static byte[] pageKey(int t, int block) {
        return new PageKey(timeline(t), new PageRef(1663, 5, 16384, 0, block)).toBytes();
    }

    public static byte[] randomValue(Random rnd, PageRef ref, boolean image) {
        if (image) {
            byte[] page = new byte[8192];
            rnd.nextBytes(page);
            return StoredVersion.image(page);
        }
        List<Patch> patches = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            int len = 1 + rnd.nextInt(64);
            byte[] d = new byte[len];
            rnd.nextBytes(d);
            patches.add(new Patch(rnd.nextInt(8192 - len), d));
        }
        return StoredVersion.fromPayload(RecordType.PAGE_DELTA, ByteBuffer.wrap(PagePayloads.delta(ref, patches)));
    }

    /** A sorted map VersionKey → value: {@code n} random versions over a few pages and timelines, LSNs rising. */
    public static TreeMap<byte[], byte[]> randomVersions(Random rnd, int n, int timelines, int pages, long firstLsn) {
        TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
        long lsn = firstLsn;
        for (int i = 0; i < n; i++) {
            lsn += 1 + rnd.nextInt(5);
            int t = 1 + rnd.nextInt(timelines);
            int block = rnd.nextInt(pages);
            m.put(VersionKey.encode(pageKey(t, block), lsn),
                    randomValue(rnd, new PageRef(1663, 5, 16384, 0, block), rnd.nextInt(6) == 0));
        }
        return m;
    }

    public static SegmentInfo write(SegmentStore store, String name, SegmentKind kind, int level, Map<byte[], byte[]> sorted)
            throws IOException {
        try (SegmentWriter w = SegmentWriter.create(store.stagingDirectory().resolve(name),
                new SegmentWriter.Options(kind, level, 0, 4096))) {
            for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
                w.add(e.getKey(), e.getValue());
            }
            SegmentInfo info = w.finish();
            store.put(name, store.stagingDirectory().resolve(name));
            return info;
        }
    }

    /** Reference: the page as of {@code lsn} from every version of {@code pageKey} in {@code all}; null if none. */
    public static byte[] reference(TreeMap<byte[], byte[]> all, byte[] pageKey, long lsn) {
        byte[] page = null;
        for (Map.Entry<byte[], byte[]> e : all.subMap(VersionKey.encode(pageKey, 0), true,
                VersionKey.encode(pageKey, lsn), true).entrySet()) {
            if (page == null) {
                page = new byte[8192];
            }
            apply(page, e.getValue());
        }
        return page;
    }

    /** Applies one image or delta version to {@code page} with page-core's rules (test data has no PG_RECORD). */
    public static void apply(byte[] page, byte[] stored) {
        try {
            StoredVersion.kind(stored).apply(page, stored, new ApplyContext(0, new PageRef(1663, 5, 16384, 0, 0),
                    ApplyContext.NO_BLOCK_ID));
        } catch (PageApplyException e) {
            throw new AssertionError(e);
        }
    }

    /** A PG_RECORD version (rmgr Heap, info 0x20) for block reference 0; WILL_INIT or not. */
    public static byte[] pgRecord(boolean willInit) {
        ByteBuffer rec = ByteBuffer.allocate(28).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        rec.putInt(28).putInt(1).putLong(0).put((byte) 0x20).put((byte) 10).putShort((short) 0).putInt(0).putInt(5).flip();
        return StoredVersion.pgRecord(0, willInit ? 1 : 0, rec);
    }
}
