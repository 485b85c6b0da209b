package io.storageengine.compactor.l0;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PagePayloads;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.page.StoredVersion;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalRecordDecoderTest {
    private static final TimelineKey T = new TimelineKey(new TenantId(1, 1), new TimelineId(2, 2));
    private static final PageRef REF = new PageRef(1663, 5, 16384, 0, 7);
    private static final byte[] KEY = new PageKey(T, REF).toBytes();

    private static byte[] delta(long lsn, PageRef ref) {
        return FrameCodec.encode(lsn, RecordType.PAGE_DELTA, PagePayloads.delta(ref, List.of(new Patch(10, new byte[] {1, 2}))));
    }

    @Test
    void aPageRecordBecomesAVersionKeyedByPageAndLsnHoldingTheStoredVersion() {
        WalRecordDecoder.Decoded d = WalRecordDecoder.decode(KEY, delta(500, REF));
        assertThat(d).isInstanceOfSatisfying(WalRecordDecoder.Version.class, v -> {
            assertThat(v.versionKey()).isEqualTo(VersionKey.encode(KEY, 500));
            assertThat(v.lsn()).isEqualTo(500);
            assertThat(v.timeline()).isEqualTo(T);
            assertThat(StoredVersion.type(v.value())).isEqualTo(RecordType.PAGE_DELTA);
        });
        byte[] image = FrameCodec.encode(600, RecordType.PAGE_IMAGE, PagePayloads.image(REF, new byte[8192]));
        assertThat(WalRecordDecoder.decode(KEY, image)).isInstanceOf(WalRecordDecoder.Version.class);
    }

    @Test
    void aWatermarkNeedsATimelineKey() {
        byte[] wm = FrameCodec.encode(900, RecordType.WATERMARK, new byte[0]);
        assertThat(WalRecordDecoder.decode(T.toBytes(), wm)).isEqualTo(new WalRecordDecoder.Watermark(T, 900));
        assertThat(WalRecordDecoder.decode(KEY, wm)).isInstanceOfSatisfying(WalRecordDecoder.Skip.class,
                s -> assertThat(s.reason()).isEqualTo("bad_key"));
    }

    @Test
    void badInputIsSkippedWithAReason() {
        byte[] good = delta(500, REF);
        byte[] flipped = good.clone();
        flipped[good.length - 1] ^= 1;
        assertThat(reason(KEY, flipped)).isEqualTo("corrupt_frame");
        assertThat(reason(KEY, null)).isEqualTo("null_value");
        assertThat(reason(new byte[3], good)).isEqualTo("bad_key");
        assertThat(reason(KEY, delta(500, new PageRef(1663, 5, 16384, 0, 8)))).isEqualTo("key_mismatch");
        assertThat(reason(KEY, FrameCodec.encode(5, 0x07, ByteBuffer.allocate(3)))).isEqualTo("reserved_type");
        assertThat(reason(KEY, FrameCodec.encode(5, RecordType.PAGE_IMAGE, new byte[100]))).isEqualTo("bad_record");
        assertThat(reason(KEY, FrameCodec.encode(5, RecordType.LSN_ADVANCE, new byte[1]))).isEqualTo("lsn_advance");
    }

    private static String reason(byte[] key, byte[] value) {
        return ((WalRecordDecoder.Skip) WalRecordDecoder.decode(key, value)).reason();
    }

    @Test
    void aBufferTracksOffsetsLsnsAndChargesTheSharedBudget() {
        MemoryBudget budget = new MemoryBudget(10_000);
        PartitionBuffer b = new PartitionBuffer(3, budget, 100);
        assertThat(b.isEmpty()).isTrue();
        b.add(100, WalRecordDecoder.decode(KEY, delta(500, REF)), 0);
        b.add(101, new WalRecordDecoder.Skip("x", "y"), 0);
        b.add(102, new WalRecordDecoder.Watermark(T, 700), 0);
        b.advanceTo(105);
        assertThat(b.size()).isEqualTo(1);
        assertThat(budget.used()).isEqualTo(b.bytes()).isPositive();
        assertThat(b.nextOffset()).isEqualTo(105);
        assertThat(b.maxLsnByTimeline()).containsEntry(T, 700L);
        b.cut();
        assertThat(budget.used()).isZero();
        assertThat(b.startOffset()).isEqualTo(105);
        assertThat(b.isEmpty()).isTrue();
    }
}
