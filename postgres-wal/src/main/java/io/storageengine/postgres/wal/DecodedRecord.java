package io.storageengine.postgres.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import io.storageengine.postgres.wal.internal.XLog;
import io.storageengine.schemas.wal.Lsn;

/**
 * One PostgreSQL 15 WAL record ({@code XLogRecord}, {@code xl_tot_len} bytes, little-endian),
 * decoded as {@code xlogreader.c DecodeXLogRecord} does: the 24-byte header, then block headers
 * (id, fork_flags, data length, optional image header, optional RelFileNode, block number),
 * origin and top-level xid fields, the main-data header; then the image and data of each block
 * in block order and the main data.
 *
 * <p>Immutable: holds its own copy of the record bytes; every buffer it hands out is a read-only,
 * little-endian view of them. Thread-safe.
 */
public final class DecodedRecord {

    private final byte[] bytes;
    private final Lsn startLsn;
    private final Lsn endLsn;
    private final BlockRef[] byId;
    private final List<BlockRef> blocks;
    private final int mainDataOffset;
    private final int mainDataLength;
    private final int origin;
    private final int toplevelXid;
    /** Per block id: position of fork_flags, of the image header, its length; and of the image bytes. */
    private final int[] flagsPos;
    private final int[] imageHeaderPos;
    private final int[] imageHeaderLen;

    DecodedRecord(byte[] bytes, Lsn startLsn, Lsn endLsn, BlockRef[] byId, int mainDataOffset,
                          int mainDataLength, int origin, int toplevelXid, int[] flagsPos, int[] imageHeaderPos,
                          int[] imageHeaderLen) {
        this.bytes = bytes;
        this.startLsn = startLsn;
        this.endLsn = endLsn;
        this.byId = byId;
        List<BlockRef> list = new ArrayList<>();
        for (BlockRef b : byId) {
            if (b != null) {
                list.add(b);
            }
        }
        this.blocks = List.copyOf(list);
        this.mainDataOffset = mainDataOffset;
        this.mainDataLength = mainDataLength;
        this.origin = origin;
        this.toplevelXid = toplevelXid;
        this.flagsPos = flagsPos;
        this.imageHeaderPos = imageHeaderPos;
        this.imageHeaderLen = imageHeaderLen;
    }

    /**
     * Decodes the record that starts at {@code recordBytes}' position (its first 4 bytes are
     * {@code xl_tot_len}) and advances the position past it. The bytes are copied.
     *
     * @param endLsn    the record's end LSN (PostgreSQL's {@code EndRecPtr}), named in errors
     * @param verifyCrc check {@code xl_crc} (CRC-32C of the record after the header, then the header up to {@code xl_crc})
     * @throws WalFormatException if the bytes are not a well-formed record
     */
    public static DecodedRecord decode(ByteBuffer recordBytes, long endLsn, boolean verifyCrc) {
        return decode(recordBytes, null, Lsn.of(endLsn), verifyCrc);
    }

    /**
     * As {@link #decode(ByteBuffer, long, boolean)}, with the record's start LSN when it is known
     * ({@link #startLsn()}, and named in errors); {@code startLsn} may be {@code null}.
     */
    public static DecodedRecord decode(ByteBuffer recordBytes, Lsn startLsn, Lsn endLsn, boolean verifyCrc) {
        Lsn end = endLsn;
        if (recordBytes.remaining() < 4) {
            throw new WalFormatException(end, "record ending at " + end + ": only " + recordBytes.remaining()
                    + " bytes, shorter than its length field");
        }
        long totLen = Integer.toUnsignedLong(recordBytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (totLen > recordBytes.remaining()) {
            throw new WalFormatException(end, "record ending at " + end + ": xl_tot_len " + totLen + " but only "
                    + recordBytes.remaining() + " bytes given");
        }
        if (totLen < XLog.SIZE_OF_XLOG_RECORD) {
            throw new WalFormatException(end, "record ending at " + end + ": invalid record length " + totLen
                    + " (the header alone is " + XLog.SIZE_OF_XLOG_RECORD + ")");
        }
        byte[] copy = new byte[(int) totLen];
        recordBytes.get(copy);
        return decodeOwned(copy, startLsn, end, verifyCrc);
    }

    /**
     * Decodes {@code record} (exactly {@code xl_tot_len} bytes), taking ownership of the array: the
     * caller must never modify it afterwards.
     *
     * @param startLsn the record's start LSN if known (named in errors), else {@code null}
     */
    static DecodedRecord decodeOwned(byte[] record, Lsn startLsn, Lsn endLsn, boolean verifyCrc) {
        return new RecordParser(record, startLsn, endLsn).parse(verifyCrc);
    }

    // ---- header fields

    /** {@code xl_tot_len}: the record's length in bytes, header included. */
    public int totalLength() {
        return bytes.length;
    }

    /** {@code xl_xid} (unsigned 32 bits in an int; 0 = InvalidTransactionId). */
    public int xid() {
        return le32(bytes, XLog.OFF_XID);
    }

    /** {@code xl_prev}: the start of the previous record. */
    public Lsn prevLsn() {
        return Lsn.of(le64(bytes, XLog.OFF_PREV));
    }

    /** {@code xl_info} (0..255): the rmgr's bits in the high nibble, XLR_* flags in the low one. */
    public int info() {
        return bytes[XLog.OFF_INFO] & 0xFF;
    }

    /** {@code xl_rmid}. */
    public int rmid() {
        return bytes[XLog.OFF_RMID] & 0xFF;
    }

    public ResourceManager rmgr() {
        return ResourceManager.byId(rmid());
    }

    /** The record's name as {@code pg_waldump} prints it ({@code INSERT+INIT}, {@code COMMIT}, ...). */
    public String recordName() {
        return rmgr().identify(info());
    }

    /** {@code xl_crc} as stored. */
    public int crc() {
        return le32(bytes, XLog.OFF_CRC);
    }

    /** The record's end LSN (PostgreSQL's {@code EndRecPtr}): where its effect becomes visible. */
    public Lsn endLsn() {
        return endLsn;
    }

    /** The record's start LSN, or {@code null} when it was decoded from bare bytes. */
    public Lsn startLsn() {
        return startLsn;
    }

    /** The replication origin ({@code RepOriginId}, 0 = none). */
    public int origin() {
        return origin;
    }

    /** The top-level xid of a subtransaction's record (0 = none). */
    public int toplevelXid() {
        return toplevelXid;
    }

    // ---- payload

    /** The main data (empty if none): read-only, little-endian, position 0. */
    public ByteBuffer mainData() {
        return view(mainDataOffset, mainDataLength);
    }

    /** A copy of the main data (no buffer allocated on the way: the redo hot path). */
    public byte[] mainDataBytes() {
        return java.util.Arrays.copyOfRange(bytes, mainDataOffset, mainDataOffset + mainDataLength);
    }

    public int mainDataLength() {
        return mainDataLength;
    }

    /** The block references in block-id order (ids may have gaps). */
    public List<BlockRef> blocks() {
        return blocks;
    }

    /** The block reference with this id, or {@code null} when the record has none. */
    public BlockRef block(int id) {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /** The highest block id in use, -1 if none. */
    public int maxBlockId() {
        for (int i = byId.length - 1; i >= 0; i--) {
            if (byId[i] != null) {
                return i;
            }
        }
        return -1;
    }

    /** The whole record as in the WAL: read-only, little-endian, position 0. */
    public ByteBuffer bytes() {
        return view(0, bytes.length);
    }

    /** Total bytes of full-page images in the record (pg_waldump's "fpi" length). */
    public int imageBytes() {
        int n = 0;
        for (BlockRef b : blocks) {
            if (b.image() != null) {
                n += b.image().length();
            }
        }
        return n;
    }

    /**
     * The record with the full-page images of every block except {@code keepBlockId} removed:
     * their {@code BKPBLOCK_HAS_IMAGE} bits cleared, image headers and image bytes gone,
     * {@code xl_tot_len} fixed; {@code xl_crc} is left as it was (no longer valid). When no other
     * block has an image, a copy of the record unchanged.
     */
    public byte[] withoutImagesExcept(int keepBlockId) {
        int removed = 0;
        for (BlockRef b : blocks) {
            if (b.id() != keepBlockId && b.image() != null) {
                removed += imageHeaderLen[b.id()] + b.image().length();
            }
        }
        if (removed == 0) {
            return bytes.clone();
        }
        // Byte ranges to drop, in increasing order: image headers come before all block data.
        int[][] cuts = new int[2 * blocks.size()][];
        int n = 0;
        for (BlockRef b : blocks) {
            if (b.id() != keepBlockId && b.image() != null) {
                cuts[n++] = new int[] {imageHeaderPos[b.id()], imageHeaderLen[b.id()]};
            }
        }
        for (BlockRef b : blocks) {
            if (b.id() != keepBlockId && b.image() != null) {
                cuts[n++] = new int[] {imageOffset(b), b.image().length()};
            }
        }
        byte[] out = new byte[bytes.length - removed];
        int src = 0;
        int dst = 0;
        for (int i = 0; i < n; i++) {
            int len = cuts[i][0] - src;
            System.arraycopy(bytes, src, out, dst, len);
            dst += len;
            src = cuts[i][0] + cuts[i][1];
        }
        System.arraycopy(bytes, src, out, dst, bytes.length - src);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(XLog.OFF_TOT_LEN, out.length);
        // fork_flags bytes sit before any cut of a later block's header; fix their positions.
        for (BlockRef b : blocks) {
            if (b.id() != keepBlockId && b.image() != null) {
                int pos = flagsPos[b.id()];
                int shift = 0;
                for (int i = 0; i < n; i++) {
                    if (cuts[i][0] < pos) {
                        shift += cuts[i][1];
                    }
                }
                out[pos - shift] = (byte) (out[pos - shift] & ~XLog.BKPBLOCK_HAS_IMAGE);
            }
        }
        return out;
    }

    private int imageOffset(BlockRef b) {
        return b.image().bytesOffset();
    }

    /** Whether {@code xl_crc} matches the bytes (CRC-32C of the record after the header, then the header up to the CRC). */
    public boolean crcValid() {
        return computeCrc(bytes) == crc();
    }

    static int computeCrc(byte[] record) {
        CRC32C c = new CRC32C();
        c.update(record, XLog.SIZE_OF_XLOG_RECORD, record.length - XLog.SIZE_OF_XLOG_RECORD);
        c.update(record, 0, XLog.OFF_CRC);
        return (int) c.getValue();
    }

    private ByteBuffer view(int off, int len) {
        return ByteBuffer.wrap(bytes, off, len).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    static int le16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    static long le64(byte[] b, int off) {
        return Integer.toUnsignedLong(le32(b, off)) | (long) le32(b, off + 4) << 32;
    }

    @Override
    public String toString() {
        return "rmgr: " + rmgr() + " len " + totalLength() + " tx " + Integer.toUnsignedString(xid())
                + (startLsn != null ? " lsn " + startLsn : "") + " end " + endLsn + " prev " + prevLsn()
                + " desc: " + recordName() + " blocks " + blocks;
    }
}
