package io.storageengine.postgres.wal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: assembles a PostgreSQL 15 {@code XLogRecord} the way {@code XLogRecordAssemble}
 * lays it out (header, block headers, origin, top-level xid, main-data header; then per block its
 * image and data; then the main data) with a valid CRC unless told otherwise.
 */
final class RecordBuilder {

    record Blk(int id, int forkFlags, int spc, int db, int rel, long blkno, byte[] data, byte[] image, int holeOffset,
               int holeLength, int bimgInfo) {
    }

    private int xid = 700;
    private long prev = 0x1000028L;
    private int info;
    private int rmid;
    private final List<Blk> blocks = new ArrayList<>();
    private byte[] main = new byte[0];
    private Integer origin;
    private Integer toplevelXid;

    RecordBuilder(ResourceManager rmgr, int info) {
        this.rmid = rmgr.id();
        this.info = info;
    }

    RecordBuilder xid(int x) {
        xid = x;
        return this;
    }

    RecordBuilder prev(long p) {
        prev = p;
        return this;
    }

    RecordBuilder rmid(int r) {
        rmid = r;
        return this;
    }

    RecordBuilder main(byte[] m) {
        main = m;
        return this;
    }

    RecordBuilder origin(int o) {
        origin = o;
        return this;
    }

    RecordBuilder toplevelXid(int x) {
        toplevelXid = x;
        return this;
    }

    /** A block without image; {@code sameRel} sets BKPBLOCK_SAME_REL (relation then omitted). */
    RecordBuilder block(int id, int fork, int rel, long blkno, byte[] data, boolean willInit, boolean sameRel) {
        int ff = fork | (data.length > 0 ? 0x20 : 0) | (willInit ? 0x40 : 0) | (sameRel ? 0x80 : 0);
        blocks.add(new Blk(id, ff, 1663, 5, rel, blkno, data, null, 0, 0, 0));
        return this;
    }

    /** A block with an uncompressed image of {@code page}, the hole [holeOffset, holeOffset+holeLength) cut out. */
    RecordBuilder blockWithImage(int id, int rel, long blkno, byte[] data, byte[] page, int holeOffset, int holeLength,
                                 boolean apply) {
        byte[] img = new byte[8192 - holeLength];
        System.arraycopy(page, 0, img, 0, holeOffset);
        System.arraycopy(page, holeOffset + holeLength, img, holeOffset, 8192 - holeOffset - holeLength);
        int info = (holeLength > 0 ? 0x01 : 0) | (apply ? 0x02 : 0);
        int ff = 0x10 | (data.length > 0 ? 0x20 : 0);
        blocks.add(new Blk(id, ff, 1663, 5, rel, blkno, data, img, holeOffset, holeLength, info));
        return this;
    }

    /** A block with an image given as stored bytes (e.g. compressed) and its bimg_info. */
    RecordBuilder blockWithRawImage(int id, int rel, long blkno, byte[] stored, int holeOffset, int holeLength,
                                    int bimgInfo) {
        blocks.add(new Blk(id, 0x10, 1663, 5, rel, blkno, new byte[0], stored, holeOffset, holeLength, bimgInfo));
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream hdr = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Blk b : blocks) {
            hdr.write(b.id());
            hdr.write(b.forkFlags());
            le16(hdr, b.data().length);
            if (b.image() != null) {
                le16(hdr, b.image().length);
                le16(hdr, b.holeOffset());
                hdr.write(b.bimgInfo());
                if ((b.bimgInfo() & 0x1C) != 0 && (b.bimgInfo() & 0x01) != 0) {
                    le16(hdr, b.holeLength());
                }
                body.writeBytes(b.image());
            }
            if ((b.forkFlags() & 0x80) == 0) {
                le32(hdr, b.spc());
                le32(hdr, b.db());
                le32(hdr, b.rel());
            }
            le32(hdr, (int) b.blkno());
            body.writeBytes(b.data());
        }
        if (origin != null) {
            hdr.write(253);
            le16(hdr, origin);
        }
        if (toplevelXid != null) {
            hdr.write(252);
            le32(hdr, toplevelXid);
        }
        if (main.length > 0) {
            if (main.length < 256) {
                hdr.write(255);
                hdr.write(main.length);
            } else {
                hdr.write(254);
                le32(hdr, main.length);
            }
            body.writeBytes(main);
        }
        int tot = 24 + hdr.size() + body.size();
        ByteBuffer b = ByteBuffer.allocate(tot).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(tot).putInt(xid).putLong(prev).put((byte) info).put((byte) rmid).putShort((short) 0).putInt(0);
        b.put(hdr.toByteArray()).put(body.toByteArray());
        byte[] rec = b.array();
        int crc = DecodedRecord.computeCrc(rec);
        ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(20, crc);
        return rec;
    }

    private static void le16(ByteArrayOutputStream o, int v) {
        o.write(v & 0xFF);
        o.write((v >>> 8) & 0xFF);
    }

    private static void le32(ByteArrayOutputStream o, int v) {
        le16(o, v & 0xFFFF);
        le16(o, (v >>> 16) & 0xFFFF);
    }

    /** A standard-looking page: header with pd_lower/pd_upper, 0xAB filler outside the hole. */
    static byte[] page(int lower, int upper, int seed) {
        byte[] p = new byte[8192];
        for (int i = 0; i < 8192; i++) {
            p[i] = (byte) (i * 31 + seed);
        }
        for (int i = lower; i < upper; i++) {
            p[i] = 0;
        }
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(12, (short) lower).putShort(14, (short) upper).putShort(16, (short) 8192).putShort(18, (short) (8192 | 4));
        return p;
    }
}
