package io.storageengine.postgres.wal.internal;

/**
 * PostgreSQL 15 WAL format constants ({@code access/xlogrecord.h}, {@code access/xlog_internal.h}).
 * All multi-byte fields are little-endian.
 */
public final class XLog {
    private XLog() {
    }

    public static final int BLCKSZ = 8192;
    public static final int XLOG_BLCKSZ = 8192;
    public static final int MAXALIGN = 8;

    /** {@code SizeOfXLogRecord}: tot_len(4) xid(4) prev(8) info(1) rmid(1) pad(2) crc(4). */
    public static final int SIZE_OF_XLOG_RECORD = 24;
    public static final int OFF_TOT_LEN = 0;
    public static final int OFF_XID = 4;
    public static final int OFF_PREV = 8;
    public static final int OFF_INFO = 16;
    public static final int OFF_RMID = 17;
    public static final int OFF_CRC = 20;

    public static final int XLR_MAX_BLOCK_ID = 32;
    public static final int XLR_BLOCK_ID_DATA_SHORT = 255;
    public static final int XLR_BLOCK_ID_DATA_LONG = 254;
    public static final int XLR_BLOCK_ID_ORIGIN = 253;
    public static final int XLR_BLOCK_ID_TOPLEVEL_XID = 252;

    public static final int BKPBLOCK_FORK_MASK = 0x0F;
    public static final int BKPBLOCK_HAS_IMAGE = 0x10;
    public static final int BKPBLOCK_HAS_DATA = 0x20;
    public static final int BKPBLOCK_WILL_INIT = 0x40;
    public static final int BKPBLOCK_SAME_REL = 0x80;

    public static final int BKPIMAGE_HAS_HOLE = 0x01;
    public static final int BKPIMAGE_APPLY = 0x02;
    public static final int BKPIMAGE_COMPRESS_PGLZ = 0x04;
    public static final int BKPIMAGE_COMPRESS_LZ4 = 0x08;
    public static final int BKPIMAGE_COMPRESS_ZSTD = 0x10;
    public static final int BKPIMAGE_COMPRESSED = BKPIMAGE_COMPRESS_PGLZ | BKPIMAGE_COMPRESS_LZ4 | BKPIMAGE_COMPRESS_ZSTD;

    /** Block header: id(1) fork_flags(1) data_length(2). */
    public static final int SIZE_OF_BLOCK_HEADER = 4;
    /** Image header: length(2) hole_offset(2) bimg_info(1). */
    public static final int SIZE_OF_IMAGE_HEADER = 5;
    /** Compressed-image hole header: hole_length(2). */
    public static final int SIZE_OF_COMPRESS_HEADER = 2;
    /** RelFileNode: spcNode(4) dbNode(4) relNode(4). */
    public static final int SIZE_OF_REL_FILE_NODE = 12;

    /** Page header magic of PostgreSQL 15 WAL. */
    public static final int XLOG_PAGE_MAGIC = 0xD110;
    public static final int XLP_FIRST_IS_CONTRECORD = 0x0001;
    public static final int XLP_LONG_HEADER = 0x0002;
    public static final int XLP_BKP_REMOVABLE = 0x0004;
    public static final int XLP_FIRST_IS_OVERWRITE_CONTRECORD = 0x0008;
    public static final int XLP_ALL_FLAGS = 0x000F;
    /** Short page header: magic(2) info(2) tli(4) pageaddr(8) rem_len(4), MAXALIGNed: 24. */
    public static final int SIZE_OF_SHORT_PHD = 24;
    /** Long page header: short + sysid(8) seg_size(4) xlog_blcksz(4): 40. */
    public static final int SIZE_OF_LONG_PHD = 40;

    public static int maxAlign(int n) {
        return (n + MAXALIGN - 1) & ~(MAXALIGN - 1);
    }

    public static long maxAlign(long n) {
        return (n + MAXALIGN - 1) & ~(long) (MAXALIGN - 1);
    }
}
