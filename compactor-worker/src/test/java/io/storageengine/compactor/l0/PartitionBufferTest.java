package io.storageengine.compactor.l0;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.kafka.WalRecordCodec;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.segment.SegmentScanner;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.testsupport.PagePayloads;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionBufferTest {
    private static final TimelineKey T1 = new TimelineKey(new TenantId(1, 1), new TimelineId(2, 2));
    private static final TimelineKey T2 = new TimelineKey(new TenantId(1, 1), new TimelineId(3, 3));

    @TempDir
    Path dir;

    private static byte[] frame(Random rnd, PageRef ref, long lsn) {
        if (rnd.nextInt(4) == 0) {
            byte[] page = new byte[8192];
            rnd.nextBytes(page);
            return FrameCodec.encode(lsn, RecordType.PAGE_IMAGE, PagePayloads.image(ref, page));
        }
        byte[] patch = new byte[1 + rnd.nextInt(300)];
        rnd.nextBytes(patch);
        return FrameCodec.encode(lsn, RecordType.PAGE_DELTA, PagePayloads.delta(ref, List.of(new Patch(rnd.nextInt(7000), patch))));
    }

    @Test
    void aCutWritesEveryVersionOnceInKeyOrderFromRecordsInArrivalOrder() throws Exception {
        Random rnd = new Random(7);
        MemoryBudget budget = new MemoryBudget(1L << 30);
        PartitionBuffer b = new PartitionBuffer(0, budget, 0);
        TreeMap<byte[], byte[]> expected = new TreeMap<>(Arrays::compareUnsigned);
        List<byte[][]> published = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 3000; i++) {
            TimelineKey t = rnd.nextBoolean() ? T1 : T2;
            PageRef ref = new PageRef(1663, 5, 16384 + rnd.nextInt(3), 0, rnd.nextInt(200));
            byte[] key = new PageKey(t, ref).toBytes();
            byte[] value = frame(rnd, ref, 1000 + i);
            published.add(new byte[][] {key, value});
            // Kafka hands the decoder a view into a larger fetch buffer: decode from an offset.
            ByteBuffer fetch = ByteBuffer.allocate(value.length + 20);
            fetch.position(10);
            fetch.put(value);
            ByteBuffer view = fetch.duplicate().position(10).limit(10 + value.length).slice();
            WalRecordCodec.PageRecord v = (WalRecordCodec.PageRecord) WalRecordCodec.decode(key, view);
            expected.putIfAbsent(VersionKey.encode(key, v.lsn()), StoredVersion.fromBody(v.type(), v.body()));
            b.add(offset++, v, 0);
        }
        // A few records published twice: the same key and value again (kept once, counted).
        for (int i = 0; i < 25; i++) {
            byte[][] again = published.get(rnd.nextInt(published.size()));
            b.add(offset++, WalRecordCodec.decode(again[0], again[1]), 0);
        }
        assertThat(b.size()).isEqualTo(3025);
        assertThat(budget.used()).isEqualTo(b.bytes());

        Path file = dir.resolve("seg");
        long duplicates;
        try (SegmentWriter w = SegmentWriter.create(file, SegmentWriter.Options.of(SegmentKind.DELTA, 0, 0))) {
            duplicates = b.writeSorted(w);
            w.finish();
        }
        assertThat(duplicates).isEqualTo(25);
        List<Map.Entry<byte[], byte[]>> want = new ArrayList<>(expected.entrySet());
        try (SegmentReader r = SegmentReader.open(file); SegmentScanner s = r.scan()) {
            int i = 0;
            while (s.hasNext()) {
                SegmentRecord rec = s.next();
                assertThat(rec.key()).isEqualTo(want.get(i).getKey());
                assertThat(rec.value()).isEqualTo(want.get(i).getValue());
                i++;
            }
            assertThat(i).isEqualTo(want.size());
        }
        assertThat(b.maxLsnByTimeline()).containsOnlyKeys(T1, T2);
        b.cut();
        assertThat(budget.used()).isZero();
        assertThat(b.hasVersions()).isFalse();
    }

    @Test
    void sortingIsByTheWholeVersionKeyAndKeepsTheFirstOfEqualKeys() {
        MemoryBudget budget = new MemoryBudget(1L << 20);
        PartitionBuffer b = new PartitionBuffer(0, budget, 0);
        PageRef ref = new PageRef(1663, 5, 16384, 0, 1);
        byte[] key = new PageKey(T1, ref).toBytes();
        long[] lsns = {900, 100, 500, 100, 0x8000_0000_0000_0000L};
        for (int i = 0; i < lsns.length; i++) {
            byte[] value = FrameCodec.encode(lsns[i], RecordType.PAGE_DELTA,
                    PagePayloads.delta(ref, List.of(new Patch(0, new byte[] {(byte) i}))));
            b.add(i, WalRecordCodec.decode(key, value), 0);
        }
        assertThat(b.sortedKeys()).extracting(VersionKey::lsnOf).containsExactly(100L, 100L, 500L, 900L, 0x8000_0000_0000_0000L);
        assertThat(b.maxLsnByTimeline()).containsEntry(T1, 0x8000_0000_0000_0000L);
    }

    @Test
    void aBufferTracksOffsetsLsnsAndChargesTheSharedBudget() {
        MemoryBudget budget = new MemoryBudget(10_000);
        PartitionBuffer b = new PartitionBuffer(3, budget, 100);
        PageRef ref = new PageRef(1663, 5, 16384, 0, 7);
        byte[] key = new PageKey(T1, ref).toBytes();
        assertThat(b.isEmpty()).isTrue();
        b.add(100, WalRecordCodec.decode(key, FrameCodec.encode(500, RecordType.PAGE_DELTA,
                PagePayloads.delta(ref, List.of(new Patch(10, new byte[] {1, 2}))))), 0);
        b.add(101, new WalRecordCodec.Skipped(WalRecordCodec.SkipReason.BAD_KEY, "y"), 0);
        b.add(102, new WalRecordCodec.Watermark(T1, 700), 0);
        b.add(103, new WalRecordCodec.LsnAdvance(800), 0);
        java.nio.ByteBuffer rec = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24);
        byte[] pgFrame = FrameCodec.encode(600, RecordType.PG_RECORD, PagePayloads.pgRecord(ref, 0, 1, rec.clear()));
        b.add(104, WalRecordCodec.decode(key, pgFrame), 0);
        b.advanceTo(105);
        assertThat(b.size()).isEqualTo(2);
        List<byte[]> keys = b.sortedKeys();
        assertThat(keys).extracting(VersionKey::lsnOf).containsExactly(500L, 600L);
        assertThat(budget.used()).isEqualTo(b.bytes()).isPositive();
        assertThat(b.nextOffset()).isEqualTo(105);
        assertThat(b.maxLsnByTimeline()).containsEntry(T1, 700L);
        b.cut();
        assertThat(budget.used()).isZero();
        assertThat(b.startOffset()).isEqualTo(105);
        assertThat(b.isEmpty()).isTrue();
    }
}
