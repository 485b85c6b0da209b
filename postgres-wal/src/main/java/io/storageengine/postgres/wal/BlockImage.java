package io.storageengine.postgres.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.storageengine.postgres.wal.internal.Codecs;
import io.storageengine.postgres.wal.internal.Pglz;
import io.storageengine.postgres.wal.internal.XLog;
import io.storageengine.schemas.wal.Lsn;

/**
 * A full-page image of one block reference ({@code XLogRecordBlockImageHeader} and its bytes):
 * possibly compressed (pglz, LZ4, zstd) and with the page's free-space "hole" left out.
 * {@link #restorePage()} rebuilds the 8192-byte page exactly as PostgreSQL's
 * {@code RestoreBlockImage} does (decompress, then zero-fill the hole).
 *
 * <p>Immutable: a view of the record's bytes, which are never modified.
 */
public final class BlockImage {

    /** How the image bytes are compressed ({@code bimg_info} bits). */
    public enum Compression { NONE, PGLZ, LZ4, ZSTD }

    private final byte[] record;
    private final int offset;
    private final int length;
    private final int holeOffset;
    private final int holeLength;
    private final int bimgInfo;
    private final int blockId;
    private final Lsn lsn;

    BlockImage(byte[] record, int offset, int length, int holeOffset, int holeLength, int bimgInfo, int blockId,
               Lsn lsn) {
        this.record = record;
        this.offset = offset;
        this.length = length;
        this.holeOffset = holeOffset;
        this.holeLength = holeLength;
        this.bimgInfo = bimgInfo;
        this.blockId = blockId;
        this.lsn = lsn;
    }

    /** Bytes of image data in the record ({@code bimg_len}). */
    public int length() {
        return length;
    }

    public int holeOffset() {
        return holeOffset;
    }

    /** The hole's length: from the compress header when compressed with a hole, else 8192 - length. */
    public int holeLength() {
        return holeLength;
    }

    /** The raw {@code bimg_info} byte. */
    public int bimgInfo() {
        return bimgInfo;
    }

    public boolean hasHole() {
        return (bimgInfo & XLog.BKPIMAGE_HAS_HOLE) != 0;
    }

    /** {@code BKPIMAGE_APPLY}: redo restores this image (else it is only for wal_consistency_checking). */
    public boolean apply() {
        return (bimgInfo & XLog.BKPIMAGE_APPLY) != 0;
    }

    public Compression compression() {
        if ((bimgInfo & XLog.BKPIMAGE_COMPRESS_PGLZ) != 0) {
            return Compression.PGLZ;
        }
        if ((bimgInfo & XLog.BKPIMAGE_COMPRESS_LZ4) != 0) {
            return Compression.LZ4;
        }
        if ((bimgInfo & XLog.BKPIMAGE_COMPRESS_ZSTD) != 0) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /** Offset of the image bytes in the record. */
    int bytesOffset() {
        return offset;
    }

    /** The image bytes as stored in the record (compressed, hole removed), read-only. */
    public ByteBuffer bytes() {
        return ByteBuffer.wrap(record, offset, length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The page: exactly 8192 bytes, decompressed, the hole zero-filled. A new array on each call.
     *
     * @throws WalFormatException if the bytes do not decompress to exactly 8192 - holeLength bytes
     */
    public byte[] restorePage() {
        int raw = XLog.BLCKSZ - holeLength;
        byte[] src = record;
        int srcOff = offset;
        Compression c = compression();
        if (c != Compression.NONE) {
            byte[] tmp = new byte[raw];
            int n = switch (c) {
                case PGLZ -> Pglz.decompress(record, offset, length, tmp, raw, true);
                case LZ4 -> Codecs.lz4(record, offset, length, tmp, raw);
                case ZSTD -> Codecs.zstd(record, offset, length, tmp, raw);
                case NONE -> raw;
            };
            if (n != raw) {
                throw new WalFormatException(lsn, "could not decompress " + c + " image of block " + blockId
                        + " in the record ending at " + lsn + " (" + length + " bytes gave "
                        + (n < 0 ? "an error" : n + " bytes") + ", expected " + raw + ")");
            }
            src = tmp;
            srcOff = 0;
        }
        byte[] page = new byte[XLog.BLCKSZ];
        if (holeLength == 0) {
            System.arraycopy(src, srcOff, page, 0, XLog.BLCKSZ);
        } else {
            System.arraycopy(src, srcOff, page, 0, holeOffset);
            int after = holeOffset + holeLength;
            System.arraycopy(src, srcOff + holeOffset, page, after, XLog.BLCKSZ - after);
        }
        return page;
    }

    @Override
    public String toString() {
        return "BlockImage[len=" + length + ", hole=" + holeOffset + "+" + holeLength + ", info=0x"
                + Integer.toHexString(bimgInfo) + ", " + compression() + (apply() ? ", apply" : "") + "]";
    }
}
