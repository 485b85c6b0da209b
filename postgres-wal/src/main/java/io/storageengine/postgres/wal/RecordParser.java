package io.storageengine.postgres.wal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.storageengine.postgres.wal.internal.XLog;
import io.storageengine.schemas.wal.Lsn;

/**
 * Parses one record's bytes into a {@link DecodedRecord}: one pass over the header area (block
 * headers, origin, top-level xid, main-data header), then the data area (per block its image and
 * data, then the main data), with every check of PostgreSQL 15's {@code DecodeXLogRecord}. Errors
 * name the record's LSN. One instance per record; not thread-safe.
 */
final class RecordParser {

    private final byte[] b;
    private final Lsn start;
    private final Lsn end;
    private int pos = XLog.SIZE_OF_XLOG_RECORD;

    RecordParser(byte[] b, Lsn start, Lsn end) {
        this.b = b;
        this.start = start;
        this.end = end;
    }

    private WalFormatException error(String what) {
        String where = start != null ? "record at " + start + " (ending at " + end + ")" : "record ending at " + end;
        return new WalFormatException(start != null ? start : end, where + ": " + what);
    }

    private int need(int n) {
        if (b.length - pos < n) {
            throw error("record too short: header field of " + n + " bytes at offset " + pos
                    + " runs past xl_tot_len " + b.length);
        }
        int p = pos;
        pos += n;
        return p;
    }

    DecodedRecord parse(boolean verifyCrc) {
        if (b.length < XLog.SIZE_OF_XLOG_RECORD) {
            throw error("invalid record length " + b.length);
        }
        if (DecodedRecord.le32(b, XLog.OFF_TOT_LEN) != b.length) {
            throw error("xl_tot_len " + Integer.toUnsignedString(DecodedRecord.le32(b, XLog.OFF_TOT_LEN)) + " but "
                    + b.length + " bytes given");
        }
        int rmid = b[XLog.OFF_RMID] & 0xFF;
        if (ResourceManager.byId(rmid) == null) {
            throw error("invalid resource manager ID " + rmid + " (not a PostgreSQL 15 built-in)");
        }
        if (verifyCrc && DecodedRecord.computeCrc(b) != DecodedRecord.le32(b, XLog.OFF_CRC)) {
            throw error("incorrect resource manager data checksum (xl_crc " + Integer.toHexString(DecodedRecord.le32(b, XLog.OFF_CRC))
                    + ", computed " + Integer.toHexString(DecodedRecord.computeCrc(b)) + ")");
        }
        List<Hdr> hdrs = List.of();
        int maxBlockId = -1;
        boolean haveRel = false;
        int lastSpc = 0;
        int lastDb = 0;
        int lastRel = 0;
        int origin = 0;
        int toplevelXid = 0;
        long mainLen = 0;
        long datatotal = 0;
        while (b.length - pos > datatotal) {
            int id = b[need(1)] & 0xFF;
            if (id == XLog.XLR_BLOCK_ID_DATA_SHORT) {
                mainLen = b[need(1)] & 0xFF;
                datatotal += mainLen;
                break;
            } else if (id == XLog.XLR_BLOCK_ID_DATA_LONG) {
                mainLen = Integer.toUnsignedLong(DecodedRecord.le32(b, need(4)));
                datatotal += mainLen;
                break;
            } else if (id == XLog.XLR_BLOCK_ID_ORIGIN) {
                origin = DecodedRecord.le16(b, need(2));
            } else if (id == XLog.XLR_BLOCK_ID_TOPLEVEL_XID) {
                toplevelXid = DecodedRecord.le32(b, need(4));
            } else if (id <= XLog.XLR_MAX_BLOCK_ID) {
                if (id <= maxBlockId) {
                    throw error("out-of-order block_id " + id);
                }
                maxBlockId = id;
                Hdr h = new Hdr(id);
                if (hdrs.isEmpty()) {
                    hdrs = new ArrayList<>(4);
                }
                hdrs.add(h);
                h.flagsPos = pos;
                h.flags = b[need(1)] & 0xFF;
                h.dataLen = DecodedRecord.le16(b, need(2));
                boolean hasData = (h.flags & XLog.BKPBLOCK_HAS_DATA) != 0;
                if (hasData && h.dataLen == 0) {
                    throw error("BKPBLOCK_HAS_DATA set, but no data included (block " + id + ")");
                }
                if (!hasData && h.dataLen != 0) {
                    throw error("BKPBLOCK_HAS_DATA not set, but data length is " + h.dataLen + " (block " + id + ")");
                }
                datatotal += h.dataLen;
                if ((h.flags & XLog.BKPBLOCK_HAS_IMAGE) != 0) {
                    h.imgHdrPos = pos;
                    h.bimgLen = DecodedRecord.le16(b, need(2));
                    h.holeOff = DecodedRecord.le16(b, need(2));
                    h.bimgInfo = b[need(1)] & 0xFF;
                    if ((h.bimgInfo & XLog.BKPIMAGE_COMPRESSED) != 0) {
                        h.holeLen = (h.bimgInfo & XLog.BKPIMAGE_HAS_HOLE) != 0 ? DecodedRecord.le16(b, need(2)) : 0;
                    } else {
                        h.holeLen = XLog.BLCKSZ - h.bimgLen;
                    }
                    h.imgHdrLen = pos - h.imgHdrPos;
                    datatotal += h.bimgLen;
                    checkImage(id, h.bimgLen, h.holeOff, h.holeLen, h.bimgInfo);
                }
                if ((h.flags & XLog.BKPBLOCK_SAME_REL) == 0) {
                    int p = need(XLog.SIZE_OF_REL_FILE_NODE);
                    lastSpc = DecodedRecord.le32(b, p);
                    lastDb = DecodedRecord.le32(b, p + 4);
                    lastRel = DecodedRecord.le32(b, p + 8);
                    haveRel = true;
                } else if (!haveRel) {
                    throw error("BKPBLOCK_SAME_REL set but no previous rel (block " + id + ")");
                }
                h.spc = lastSpc;
                h.db = lastDb;
                h.rel = lastRel;
                h.blkno = Integer.toUnsignedLong(DecodedRecord.le32(b, need(4)));
            } else {
                throw error("invalid block_id " + id);
            }
        }
        if (b.length - pos != datatotal) {
            throw error("record with invalid length: " + (b.length - pos) + " bytes after the headers, the headers announce "
                    + datatotal);
        }
        // Data area: per block in id order its image then its data, then the main data.
        BlockRef[] byId = new BlockRef[maxBlockId + 1];
        int[] flagsPos = new int[byId.length];
        int[] imgHdrPos = new int[byId.length];
        int[] imgHdrLen = new int[byId.length];
        Lsn errLsn = start != null ? start : end;
        for (Hdr h : hdrs) {
            BlockImage image = null;
            if ((h.flags & XLog.BKPBLOCK_HAS_IMAGE) != 0) {
                image = new BlockImage(b, pos, h.bimgLen, h.holeOff, h.holeLen, h.bimgInfo, h.id, errLsn);
                pos += h.bimgLen;
            }
            ByteBuffer data = ByteBuffer.wrap(b, pos, h.dataLen).slice();
            pos += h.dataLen;
            byId[h.id] = new BlockRef(h.id, h.spc, h.db, h.rel, h.flags & XLog.BKPBLOCK_FORK_MASK, h.blkno, h.flags, data,
                    image);
            flagsPos[h.id] = h.flagsPos;
            imgHdrPos[h.id] = h.imgHdrPos;
            imgHdrLen[h.id] = h.imgHdrLen;
        }
        int mainOff = pos;
        pos += (int) mainLen;
        if (pos != b.length) {
            throw error("decoded " + pos + " bytes of a " + b.length + "-byte record");
        }
        return new DecodedRecord(b, start, end, byId, mainOff, (int) mainLen, origin, toplevelXid, flagsPos, imgHdrPos,
                imgHdrLen);
    }

    /** One block header while parsing. */
    private static final class Hdr {
        final int id;
        int flags;
        int dataLen;
        int spc;
        int db;
        int rel;
        long blkno;
        int bimgLen;
        int holeOff;
        int holeLen;
        int bimgInfo;
        int flagsPos;
        int imgHdrPos;
        int imgHdrLen;

        Hdr(int id) {
            this.id = id;
        }
    }

    private void checkImage(int id, int len, int holeOffset, int holeLength, int info) {
        boolean compressed = (info & XLog.BKPIMAGE_COMPRESSED) != 0;
        boolean hasHole = (info & XLog.BKPIMAGE_HAS_HOLE) != 0;
        if (hasHole && (holeOffset == 0 || holeLength == 0 || len == XLog.BLCKSZ)) {
            throw error("BKPIMAGE_HAS_HOLE set, but hole offset " + holeOffset + " length " + holeLength
                    + " block image length " + len + " (block " + id + ")");
        }
        if (!hasHole && (holeOffset != 0 || holeLength != 0)) {
            throw error("BKPIMAGE_HAS_HOLE not set, but hole offset " + holeOffset + " length " + holeLength
                    + " (block " + id + ")");
        }
        if (compressed && len == XLog.BLCKSZ) {
            throw error("BKPIMAGE_COMPRESSED set, but block image length " + len + " (block " + id + ")");
        }
        if (!hasHole && !compressed && len != XLog.BLCKSZ) {
            throw error("neither BKPIMAGE_HAS_HOLE nor BKPIMAGE_COMPRESSED set, but block image length is " + len
                    + " (block " + id + ")");
        }
        if (holeLength < 0 || holeOffset + holeLength > XLog.BLCKSZ) {
            throw error("image hole offset " + holeOffset + " length " + holeLength + " runs past the page (block "
                    + id + ")");
        }
    }
}
