package io.storageengine.schemas.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class PgRecordFormatTest {
    static final PageRef REF = PageRef.of(1663, 5, 16384, Fork.MAIN, 7);

    /** A PG_RECORD payload: PageRef, blockId 1, flags, pgMajor, and an XLogRecord with {@code data}. */
    static ByteBuffer payload(int flags, int major, int totLenDelta, int dataLen) {
        ByteBuffer b = ByteBuffer.allocate(17 + 4 + 24 + dataLen);
        REF.write(b);
        b.put((byte) 1).put((byte) flags).putShort((short) major);
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(24 + dataLen + totLenDelta).putInt(9).putLong(0).put((byte) 0x20)
                .put((byte) 10);
        return b.order(ByteOrder.BIG_ENDIAN).clear();
    }

    @Test
    void aWellFormedRecordPasses() {
        assertThatCode(() -> PageRecords.validate(1, RecordType.PG_RECORD, payload(3, 15, 0, 10))).doesNotThrowAnyException();
        assertThatCode(() -> PageRecords.validate(1, RecordType.PG_RECORD, payload(0, 15, 0, 0))).doesNotThrowAnyException();
        // the view's byte order does not matter: wire integers are big-endian, the XLogRecord little-endian
        assertThatCode(() -> PageRecords.validate(1, RecordType.PG_RECORD, payload(1, 15, 0, 3).order(ByteOrder.LITTLE_ENDIAN)))
                .doesNotThrowAnyException();
    }

    @Test
    void headerRulesAreCheckedNamingTheLsn() {
        long lsn = 0x3_0000_0010L;
        assertThatThrownBy(() -> PageRecords.validate(lsn, RecordType.PG_RECORD, payload(4, 15, 0, 0)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("3/10").hasMessageContaining("flag bits 0x4");
        assertThatThrownBy(() -> PageRecords.validate(lsn, RecordType.PG_RECORD, payload(0, 16, 0, 0)))
                .hasMessageContaining("3/10").hasMessageContaining("major version 16");
        assertThatThrownBy(() -> PageRecords.validate(lsn, RecordType.PG_RECORD, payload(0, 15, 1, 4)))
                .hasMessageContaining("3/10").hasMessageContaining("xl_tot_len is 29 but 28");
        assertThatThrownBy(() -> PageRecords.validate(lsn, RecordType.PG_RECORD, payload(0, 15, 0, 0).limit(44)))
                .hasMessageContaining("3/10").hasMessageContaining("shorter than 45");
        assertThatThrownBy(() -> PageRecords.validate(lsn, RecordType.PG_RECORD, ByteBuffer.allocate(3)))
                .hasMessageContaining("3/10");
    }

    @Test
    void rmgrAndInfoAreReadFromTheXLogRecordHeader() {
        ByteBuffer body = payload(0, 15, 0, 2).position(17);
        ByteBuffer rec = PgRecordFormat.record(body);
        assertThat(rec.remaining()).isEqualTo(26);
        assertThat(PgRecordFormat.rmgrId(rec)).isEqualTo(10);
        assertThat(PgRecordFormat.info(rec)).isEqualTo(0x20);
        assertThat(PgRecordFormat.describe(0x10, rec)).isEqualTo("rmgr 10 info 0x20 at LSN 0/10");
    }
}
