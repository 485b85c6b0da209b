package io.storageengine.pagecore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.PgRecordFormat;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.PagePayloads;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class StoredVersionTest {

    @Test
    void imageRoundTrip() throws BadRecordException {
        byte[] page = new byte[8192];
        page[0] = 1;
        page[8191] = 2;
        byte[] stored = StoredVersion.image(page);
        assertThat(stored).hasSize(8193);
        assertThat(stored[0]).isEqualTo((byte) 0x01);
        assertThat(StoredVersion.type(stored)).isEqualTo(RecordType.PAGE_IMAGE);
        assertThat(StoredVersion.kind(stored)).isInstanceOf(PageImageKind.class);
        byte[] body = new byte[8192];
        StoredVersion.body(stored).get(body);
        assertThat(body).isEqualTo(page);
        assertThat(StoredVersion.fromPayload(RecordType.PAGE_IMAGE, ByteBuffer.wrap(PagePayloads.image(Versions.REF, page))))
                .isEqualTo(stored);
        StoredVersion.validate(1, stored);
        assertThat(StoredVersion.blockId(stored)).isEqualTo(ApplyContext.NO_BLOCK_ID);
    }

    @Test
    void deltaIsTypeThenPayloadAfterThePageRef() throws BadRecordException {
        byte[] stored = Versions.delta(10, (byte) 5, (byte) 6);
        assertThat(stored).containsExactly(0x02, 0, 1, 0, 10, 0, 2, 5, 6);
        assertThat(StoredVersion.type(stored)).isEqualTo(RecordType.PAGE_DELTA);
        StoredVersion.validate(1, stored);
    }

    @Test
    void pgRecordRoundTrip() throws BadRecordException {
        ByteBuffer xlog = Versions.xlog(10, 0x20, (byte) 9, (byte) 8, (byte) 7);
        byte[] stored = StoredVersion.pgRecord(2, PgRecordFormat.WILL_INIT, xlog);
        assertThat(stored[0]).isEqualTo((byte) 0x04);
        assertThat(stored[1]).isEqualTo((byte) 2);
        assertThat(stored[2]).isEqualTo((byte) 1);
        assertThat(ByteBuffer.wrap(stored, 3, 2).getShort()).isEqualTo((short) 15);
        assertThat(StoredVersion.blockId(stored)).isEqualTo(2);
        assertThat(StoredVersion.type(stored)).isEqualTo(RecordType.PG_RECORD);
        ByteBuffer rec = StoredVersion.pgRecord(stored);
        assertThat(rec.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(rec.getInt(0)).isEqualTo(27);
        assertThat(PgRecordFormat.rmgrId(rec)).isEqualTo(10);
        assertThat(PgRecordFormat.info(rec)).isEqualTo(0x20);
        assertThat(rec.remaining()).isEqualTo(27);
        assertThat(rec.isReadOnly()).isTrue();
        StoredVersion.validate(5, stored);
        // the stored form is the type byte then the wire payload after its PageRef
        ByteBuffer payload = ByteBuffer.allocate(17 + stored.length - 1);
        Versions.REF.write(payload);
        payload.put(stored, 1, stored.length - 1).flip();
        assertThat(StoredVersion.fromPayload(RecordType.PG_RECORD, payload)).isEqualTo(stored);
    }

    @Test
    void validateRejectsBrokenVersionsNamingTheLsn() {
        assertThatThrownBy(() -> StoredVersion.validate(0x10, new byte[0])).hasMessageContaining("0/10");
        assertThatThrownBy(() -> StoredVersion.validate(1, new byte[] {0x03, 1})).hasMessageContaining("type code 3");
        assertThatThrownBy(() -> StoredVersion.validate(1, new byte[] {0x01, 1, 2})).hasMessageContaining("stored image");
        assertThatThrownBy(() -> StoredVersion.validate(1, new byte[] {0x02, 0, 1, 0x20, 0, 0, 1}))
                .hasMessageContaining("runs past the page");
        byte[] pg = Versions.pg(false, 10, 0);
        byte[] badMajor = pg.clone();
        badMajor[4] = 14;
        assertThatThrownBy(() -> StoredVersion.validate(1, badMajor)).hasMessageContaining("major version 14");
        byte[] badFlags = pg.clone();
        badFlags[2] = 4;
        assertThatThrownBy(() -> StoredVersion.validate(1, badFlags)).hasMessageContaining("flag bits 0x4");
        byte[] truncated = java.util.Arrays.copyOf(pg, pg.length - 1);
        assertThatThrownBy(() -> StoredVersion.validate(1, truncated)).hasMessageContaining("xl_tot_len is 26");
    }

    @Test
    void unknownTypeCodesHaveNoKind() {
        assertThatThrownBy(() -> StoredVersion.kind(new byte[] {0x10})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredVersion.fromBody(RecordType.WATERMARK, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
