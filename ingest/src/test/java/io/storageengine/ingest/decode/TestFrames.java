package io.storageengine.ingest.decode;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import io.storageengine.testsupport.PagePayloads;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/** Hand-built frames for decoder tests. */
public final class TestFrames {
    public static final PageRef PAGE = new PageRef(1663, 5, 16384, 0, 7);

    private TestFrames() {
    }

    static byte[] image(long lsn) {
        byte[] page = new byte[WalFormat.PAGE_SIZE];
        page[100] = (byte) lsn;
        return FrameCodec.encode(lsn, RecordType.PAGE_IMAGE, PagePayloads.image(PAGE, page));
    }

    static byte[] delta(long lsn) {
        return FrameCodec.encode(lsn, RecordType.PAGE_DELTA,
                PagePayloads.delta(PAGE, List.of(new Patch(10, new byte[] {1, 2, 3}), new Patch(8000, new byte[] {(byte) lsn}))));
    }

    static byte[] advance(long lsn) {
        return FrameCodec.encode(lsn, RecordType.LSN_ADVANCE, new byte[] {9, 9});
    }

    /**
     * A PG_RECORD frame: blockId 0, {@code flags}, pgMajor 15, and a well-formed Heap XLogRecord
     * (valid CRC-32C) whose block reference 0 names {@link #PAGE}, with xl_tot_len off by
     * {@code totLenDelta}.
     */
    public static byte[] pg(long lsn, int flags, int totLenDelta) {
        int len = 24 + 4 + 12 + 4 + 2 + 4;
        ByteBuffer rec = ByteBuffer.allocate(len).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        rec.putInt(len + totLenDelta).putInt(1).putLong(0).put((byte) 0x10).put((byte) 10).putShort((short) 0).putInt(0);
        rec.put((byte) 0).put((byte) PAGE.forkNum()).putShort((short) 0); // block 0: main fork, no image, no data
        rec.putInt(PAGE.spcOid()).putInt(PAGE.dbOid()).putInt(PAGE.relNumber()).putInt(PAGE.blockNum());
        rec.put((byte) 255).put((byte) 4).putInt(0x01020304); // XLR_BLOCK_ID_DATA_SHORT, 4 bytes of main data
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(rec.array(), 24, len - 24);
        crc.update(rec.array(), 0, 20);
        rec.putInt(20, (int) crc.getValue()).flip();
        return FrameCodec.encode(lsn, RecordType.PG_RECORD, PagePayloads.pgRecord(PAGE, 0, flags, rec));
    }

    /** A PG_RECORD frame like {@link #pg} whose block reference names another block than its key. */
    static byte[] pgNamingAnotherPage(long lsn) {
        byte[] f = pg(lsn, 2, 0); // REDUCED: no record CRC to fix after the edit
        int blockNumAt = WalFormat.HEADER_SIZE + PageRef.SIZE + 4 + 24 + 4 + 12;
        f[blockNumAt] ^= 1;
        return frame(lsn, RecordType.PG_RECORD.code(), java.util.Arrays.copyOfRange(f, WalFormat.HEADER_SIZE, f.length));
    }

    static byte[] frame(long lsn, int code, byte[] payload) {
        return FrameCodec.encode(lsn, code, ByteBuffer.wrap(payload));
    }

    /** A PAGE_DELTA payload: the test PageRef followed by {@code body} (u16 count, patches...). */
    static byte[] deltaPayload(ByteBuffer body) {
        ByteBuffer b = ByteBuffer.allocate(PageRef.SIZE + body.remaining());
        PAGE.write(b);
        b.put(body);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
