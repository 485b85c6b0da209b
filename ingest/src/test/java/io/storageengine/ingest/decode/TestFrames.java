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
final class TestFrames {
    static final PageRef PAGE = new PageRef(1663, 5, 16384, 0, 7);

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

    /** A PG_RECORD frame: blockId 0, {@code flags}, pgMajor 15, an XLogRecord whose xl_tot_len is off by {@code totLenDelta}. */
    static byte[] pg(long lsn, int flags, int totLenDelta) {
        ByteBuffer rec = ByteBuffer.allocate(24 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        rec.putInt(28 + totLenDelta).putInt(1).putLong(0).put((byte) 0x10).put((byte) 10).putShort((short) 0).putInt(0)
                .putInt(0x01020304).flip();
        return FrameCodec.encode(lsn, RecordType.PG_RECORD, PagePayloads.pgRecord(PAGE, 0, flags, rec));
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
