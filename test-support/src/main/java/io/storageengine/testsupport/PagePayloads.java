package io.storageengine.testsupport;

import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.page.PgRecordFormat;
import io.storageengine.schemas.wal.WalFormat;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Builds page record payloads as producers send them (PageRef first), per the WAL format's
 * PAGE_IMAGE, PAGE_DELTA and PG_RECORD layouts; the decoders are {@code schemas}' {@code PageRecords}
 * and {@code PgRecordFormat}. For tests only (no production code encodes these payloads this way).
 * Stateless.
 */
public final class PagePayloads {
    private PagePayloads() {
    }

    /** PAGE_IMAGE payload: PageRef | 8192 bytes. */
    public static byte[] image(PageRef ref, byte[] page) {
        if (page.length != WalFormat.PAGE_SIZE) {
            throw new IllegalArgumentException("page image must be " + WalFormat.PAGE_SIZE + " bytes, got " + page.length);
        }
        ByteBuffer b = ByteBuffer.allocate(PageRecords.IMAGE_PAYLOAD_SIZE);
        ref.write(b);
        b.put(page);
        return b.array();
    }

    /** PAGE_DELTA payload: PageRef | u16 count | patches. */
    public static byte[] delta(PageRef ref, List<Patch> patches) {
        if (patches.isEmpty() || patches.size() > 0xFFFF) {
            throw new IllegalArgumentException("a delta needs 1 to 65535 patches, got " + patches.size());
        }
        int size = PageRef.SIZE + 2;
        for (Patch p : patches) {
            size += 4 + p.data().length;
        }
        if (size > WalFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("delta payload of " + size + " bytes exceeds " + WalFormat.MAX_PAYLOAD);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        ref.write(b);
        b.putShort((short) patches.size());
        for (Patch p : patches) {
            b.putShort((short) p.offset()).putShort((short) p.data().length).put(p.data());
        }
        return b.array();
    }

    /**
     * PG_RECORD payload: PageRef | u8 blockId | u8 flags | u16 pgMajor (15) | the XLogRecord's
     * remaining bytes (not consumed). Not validated: see {@link PgRecordFormat#validateBody}.
     */
    public static byte[] pgRecord(PageRef ref, int blockId, int flags, ByteBuffer xlogRecord) {
        ByteBuffer b = ByteBuffer.allocate(PageRef.SIZE + PgRecordFormat.RECORD + xlogRecord.remaining());
        ref.write(b);
        b.put((byte) blockId).put((byte) flags).putShort((short) PgRecordFormat.SUPPORTED_PG_MAJOR);
        b.put(xlogRecord.duplicate());
        return b.array();
    }
}
