package io.storageengine.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.kafka.WalRecordCodec.LsnAdvance;
import io.storageengine.schemas.kafka.WalRecordCodec.PageRecord;
import io.storageengine.schemas.kafka.WalRecordCodec.SkipReason;
import io.storageengine.schemas.kafka.WalRecordCodec.Skipped;
import io.storageengine.schemas.kafka.WalRecordCodec.Watermark;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.page.TestPayloads;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalRecordCodecTest {
    private static final TimelineKey T = new TimelineKey(new TenantId(1, 1), new TimelineId(2, 2));
    private static final PageRef REF = new PageRef(1663, 5, 16384, 0, 7);
    private static final byte[] KEY = new PageKey(T, REF).toBytes();

    private static byte[] delta(long lsn, PageRef ref) {
        return FrameCodec.encode(lsn, RecordType.PAGE_DELTA, TestPayloads.delta(ref, List.of(new Patch(10, new byte[] {1, 2}))));
    }

    static byte[] pgRecord(long lsn, int flags, int major) {
        ByteBuffer b = ByteBuffer.allocate(17 + 4 + 24 + 3);
        REF.write(b);
        b.put((byte) 0).put((byte) flags).putShort((short) major);
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(27).putInt(1).putLong(0).put((byte) 0).put((byte) 10).putShort((short) 0)
                .putInt(0).put(new byte[] {1, 2, 3});
        return FrameCodec.encode(lsn, RecordType.PG_RECORD, b.array());
    }

    @Test
    void keysAreThePageKeyAndTheTimelineKey() {
        ByteBuffer payload = ByteBuffer.wrap(TestPayloads.image(REF, new byte[8192]));
        assertThat(WalRecordCodec.pageKey(T.toBytes(), payload)).isEqualTo(KEY).hasSize(49);
        assertThat(payload.position()).isZero();
        assertThat(WalRecordCodec.pageKey(T, REF)).isEqualTo(KEY);
        assertThat(WalRecordCodec.watermarkKey(T)).isEqualTo(T.toBytes()).hasSize(32);
        assertThat(WalRecordCodec.decode(WalRecordCodec.watermarkKey(T), WalRecordCodec.watermarkValue(900)))
                .isEqualTo(new Watermark(T, 900));
    }

    @Test
    void pageRecordsOfEveryPageTypeDecodeWithTheirBody() {
        assertThat(WalRecordCodec.decode(KEY, delta(500, REF))).isInstanceOfSatisfying(PageRecord.class, r -> {
            assertThat(r.pageKey()).isSameAs(KEY);
            assertThat(r.lsn()).isEqualTo(500);
            assertThat(r.type()).isEqualTo(RecordType.PAGE_DELTA);
            assertThat(r.timeline()).isEqualTo(T);
            assertThat(r.body().remaining()).isEqualTo(2 + 4 + 2);
            assertThat(r.body().getShort(r.body().position())).isEqualTo((short) 1);
        });
        byte[] image = FrameCodec.encode(600, RecordType.PAGE_IMAGE, TestPayloads.image(REF, new byte[8192]));
        assertThat(WalRecordCodec.decode(KEY, image)).isInstanceOf(PageRecord.class);
        assertThat(WalRecordCodec.decode(KEY, pgRecord(700, 1, 15))).isInstanceOfSatisfying(PageRecord.class,
                r -> assertThat(r.type()).isEqualTo(RecordType.PG_RECORD));
    }

    @Test
    void aWatermarkNeedsATimelineKeyAndAnEmptyPayload() {
        byte[] wm = FrameCodec.encode(900, RecordType.WATERMARK, new byte[0]);
        assertThat(WalRecordCodec.decode(T.toBytes(), wm)).isEqualTo(new Watermark(T, 900));
        assertThat(reason(KEY, wm)).isEqualTo(SkipReason.BAD_KEY);
        assertThat(reason(T.toBytes(), FrameCodec.encode(900, RecordType.WATERMARK, new byte[1])))
                .isEqualTo(SkipReason.BAD_RECORD);
    }

    @Test
    void badInputIsSkippedWithAReasonNamingTheLsn() {
        byte[] good = delta(500, REF);
        byte[] flipped = good.clone();
        flipped[good.length - 1] ^= 1;
        assertThat(reason(KEY, flipped)).isEqualTo(SkipReason.CORRUPT_FRAME);
        assertThat(reason(KEY, java.util.Arrays.copyOf(good, good.length - 1))).isEqualTo(SkipReason.CORRUPT_FRAME);
        assertThat(reason(KEY, java.util.Arrays.copyOf(good, good.length + 1))).isEqualTo(SkipReason.CORRUPT_FRAME);
        assertThat(reason(KEY, null)).isEqualTo(SkipReason.NULL_VALUE);
        assertThat(reason(new byte[3], good)).isEqualTo(SkipReason.BAD_KEY);
        assertThat(reason(KEY, delta(500, new PageRef(1663, 5, 16384, 0, 8)))).isEqualTo(SkipReason.KEY_MISMATCH);
        assertThat(reason(KEY, FrameCodec.encode(5, 0x07, ByteBuffer.allocate(3)))).isEqualTo(SkipReason.RESERVED_TYPE);
        assertThat(reason(KEY, FrameCodec.encode(5, RecordType.PAGE_IMAGE, new byte[100]))).isEqualTo(SkipReason.BAD_RECORD);
        Skipped badPg = (Skipped) WalRecordCodec.decode(KEY, pgRecord(0x20, 1, 14));
        assertThat(badPg.reason()).isEqualTo(SkipReason.BAD_RECORD);
        assertThat(badPg.detail()).contains("0/20").contains("major version 14");
        assertThat(WalRecordCodec.decode(KEY, FrameCodec.encode(5, RecordType.LSN_ADVANCE, new byte[1])))
                .isEqualTo(new LsnAdvance(5));
        assertThat(SkipReason.KEY_MISMATCH.tag()).isEqualTo("key_mismatch");
    }

    private static SkipReason reason(byte[] key, byte[] value) {
        return ((Skipped) WalRecordCodec.decode(key, value)).reason();
    }
}
