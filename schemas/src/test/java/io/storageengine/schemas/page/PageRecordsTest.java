package io.storageengine.schemas.page;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageRecordsTest {
    static final PageRef REF = PageRef.of(1663, 5, 16384, Fork.MAIN, 7);

    static ByteBuffer deltaPayload(int count, int... offLenPairs) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        REF.write(b);
        b.putShort((short) count);
        for (int i = 0; i < offLenPairs.length; i += 2) {
            b.putShort((short) offLenPairs[i]).putShort((short) offLenPairs[i + 1]);
            b.put(new byte[Math.min(offLenPairs[i + 1], 100)]);
        }
        b.flip();
        return b;
    }

    @Test
    void validImageAndDeltaPass() {
        assertThatCode(() -> PageRecords.validate(1, RecordType.PAGE_IMAGE,
                ByteBuffer.wrap(TestPayloads.image(REF, new byte[8192])))).doesNotThrowAnyException();
        assertThatCode(() -> PageRecords.validate(1, RecordType.PAGE_DELTA,
                ByteBuffer.wrap(TestPayloads.delta(REF, List.of(new Patch(8190, new byte[2]), new Patch(0, new byte[0]))))))
                .doesNotThrowAnyException();
    }

    @Test
    void imageOfTheWrongSizeIsRejectedNamingItsLsn() {
        assertThatThrownBy(() -> PageRecords.validate(0x1_0000_0010L, RecordType.PAGE_IMAGE, ByteBuffer.allocate(17 + 8191)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("1/10").hasMessageContaining("8208");
        assertThatThrownBy(() -> PageRecords.validate(1, RecordType.PAGE_IMAGE, ByteBuffer.allocate(17 + 8193)))
                .isInstanceOf(BadRecordException.class);
    }

    @Test
    void deltaPatchPastThePageIsRejected() {
        assertThatThrownBy(() -> PageRecords.validate(2, RecordType.PAGE_DELTA, deltaPayload(1, 8190, 3)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("past the page");
    }

    @Test
    void deltaPatchPastThePayloadIsRejected() {
        ByteBuffer b = deltaPayload(1, 0, 10);
        b.limit(b.limit() - 1);
        assertThatThrownBy(() -> PageRecords.validate(3, RecordType.PAGE_DELTA, b))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("past the payload");
        assertThatThrownBy(() -> PageRecords.validate(3, RecordType.PAGE_DELTA, deltaPayload(2, 0, 10)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("past the payload");
    }

    @Test
    void deltaWithZeroPatchesOrTrailingBytesIsRejected() {
        assertThatThrownBy(() -> PageRecords.validate(4, RecordType.PAGE_DELTA, deltaPayload(0)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("count of 0");
        ByteBuffer b = deltaPayload(1, 0, 1);
        b.limit(b.limit() + 1);
        assertThatThrownBy(() -> PageRecords.validate(4, RecordType.PAGE_DELTA, b))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("after its last patch");
        assertThatThrownBy(() -> PageRecords.validate(4, RecordType.PAGE_DELTA, ByteBuffer.allocate(18)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("too short");
    }
}
