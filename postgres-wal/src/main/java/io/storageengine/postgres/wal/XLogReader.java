package io.storageengine.postgres.wal;

import java.io.Closeable;
import java.io.IOException;

import io.storageengine.postgres.wal.internal.XLog;
import io.storageengine.schemas.wal.Lsn;

/**
 * Reads PostgreSQL 15 WAL records one after another from a {@link WalPageSource}, as
 * {@code xlogreader.c} does: validates each 8 KiB page header (magic 0xD110, info bits, long header
 * at segment starts with system id / segment size / XLOG_BLCKSZ, page address, timeline),
 * reassembles records that span pages and segments ({@code XLP_FIRST_IS_CONTRECORD},
 * {@code xlp_rem_len}), honours {@code XLP_FIRST_IS_OVERWRITE_CONTRECORD}, checks each header
 * ({@code xl_tot_len}, resource manager, prev-link) and its CRC-32C, and decodes it.
 *
 * <p>End of WAL: an unavailable page, an invalid page header, an invalid record header or a CRC
 * mismatch ends the WAL there, as PostgreSQL's recovery decides, and {@link #next()} returns
 * {@code null}; {@link #endLsn()} is the end of the last valid record and {@link #endReason()}
 * says what was found. But if valid WAL pages follow the failing record (the rest of its segment
 * and the first page of the next are checked), the WAL is complete and damaged in the middle:
 * {@link #next()} throws a {@link WalFormatException} naming the record's LSN and the file.
 *
 * <p>An {@code XLOG SWITCH} record ends at the end of its segment (PostgreSQL's {@code EndRecPtr}).
 * Memory: one page, one look-ahead page and the record being assembled (at most
 * {@code maxRecordBytes}). Single-threaded.
 */
public final class XLogReader implements Closeable {

    /** Default limit on one record's size (PostgreSQL allows up to about 1 GB; real ones are far smaller). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 << 20;

    private final WalPageSource source;
    private final int segSize;
    private final int maxRecordBytes;
    private final boolean verifyCrc;
    private final byte[] page = new byte[XLog.XLOG_BLCKSZ];
    private long pageAddr = -1;
    private final byte[] probe = new byte[XLog.XLOG_BLCKSZ];

    private long nextRecPtr;
    private long prevRecPtr;       // start of the previous record, -1 when unknown
    private long endLsn;           // end of the last valid record
    private long systemId;         // 0 until the first long header
    private int timeline;          // 0 until the first page
    private String endReason;
    private boolean done;
    private long records;
    /** Set when following a stream: missing bytes mean "not yet", not the end of the WAL. */
    private StreamingWalSource follow;

    private XLogReader(WalPageSource source, int maxRecordBytes, boolean verifyCrc) {
        this.source = source;
        this.segSize = source.segmentSize();
        this.maxRecordBytes = maxRecordBytes;
        this.verifyCrc = verifyCrc;
    }

    /**
     * A reader positioned at the first record that starts at or after {@code from} (PostgreSQL's
     * {@code XLogFindNextRecord}); {@code null} = the first valid record of the source's oldest page.
     */
    public static XLogReader open(WalPageSource source, Lsn from) throws IOException {
        return open(source, from, DEFAULT_MAX_RECORD_BYTES, true);
    }

    public static XLogReader open(WalPageSource source, Lsn from, int maxRecordBytes, boolean verifyCrc)
            throws IOException {
        XLogReader r = new XLogReader(source, maxRecordBytes, verifyCrc);
        long target = from == null ? source.firstPageAddress() : from.value();
        r.positionAt(target);
        return r;
    }

    /** A reader that starts exactly at {@code recordStart}, a known record boundary (e.g. a replication start point). */
    public static XLogReader openAtRecord(WalPageSource source, Lsn recordStart) {
        XLogReader r = new XLogReader(source, DEFAULT_MAX_RECORD_BYTES, true);
        r.nextRecPtr = recordStart.value();
        r.prevRecPtr = -1;
        r.endLsn = recordStart.value();
        return r;
    }

    /**
     * A reader of a live stream that starts at {@code recordStart}, a record boundary (the end of the
     * last record already processed, or {@code pg_current_wal_insert_lsn()}). {@link #next()} returns
     * {@code null} while the next record has not fully arrived ({@link #atEnd()} stays false); a
     * record that has fully arrived and is invalid is a {@link WalFormatException}.
     */
    public static XLogReader follow(StreamingWalSource source, Lsn recordStart) {
        XLogReader r = openAtRecord(source, recordStart);
        r.follow = source;
        return r;
    }

    private void positionAt(long target) throws IOException {
        long pageStart = target - Long.remainderUnsigned(target, XLog.XLOG_BLCKSZ);
        prevRecPtr = -1;
        endLsn = pageStart;
        if (!loadPageOrEnd(pageStart)) {
            nextRecPtr = pageStart;
            return;
        }
        int hdr = headerSize(page);
        long ptr = pageStart + hdr;
        if ((info(page) & XLog.XLP_FIRST_IS_CONTRECORD) != 0) {
            // Skip the tail of a record that began on an earlier page, maybe over several pages.
            long rem = Integer.toUnsignedLong(DecodedRecord.le32(page, 16));
            long p = pageStart;
            while (true) {
                int room = XLog.XLOG_BLCKSZ - hdr;
                if (rem <= room) {
                    ptr = p + hdr + XLog.maxAlign(rem);
                    break;
                }
                p += XLog.XLOG_BLCKSZ;
                if (!loadPageOrEnd(p)) {
                    nextRecPtr = p;
                    return;
                }
                hdr = headerSize(page);
                rem = Integer.toUnsignedLong(DecodedRecord.le32(page, 16));
            }
        }
        nextRecPtr = ptr;
        endLsn = ptr;
        // Skip records that start before the target.
        while (Lsn.of(nextRecPtr).isBefore(Lsn.of(target))) {
            DecodedRecord r = next();
            if (r == null) {
                return;
            }
        }
        records = 0;
    }

    private boolean loadPageOrEnd(long addr) throws IOException {
        try {
            loadPage(addr);
            return true;
        } catch (EndOfWal e) {
            done = true;
            endReason = e.getMessage();
            return false;
        }
    }

    /**
     * The next record, or {@code null} at the end of the WAL.
     *
     * @throws WalFormatException for a damaged record inside complete WAL, or a damaged source
     */
    public DecodedRecord next() throws IOException {
        if (done) {
            return null;
        }
        long start = nextRecPtr;
        try {
            DecodedRecord r = readRecordAt(start);
            records++;
            return r;
        } catch (EndOfWal e) {
            if (follow != null) {
                pageAddr = -1;
                if (needsMoreBytes(start)) {
                    return null;
                }
                throw new WalFormatException(Lsn.of(start), "invalid WAL record at " + Lsn.of(start) + " in "
                        + source.describe(e.page) + ": " + e.getMessage());
            }
            long resumeAt = e.page + XLog.XLOG_BLCKSZ;
            Long validAfter = firstValidPageAfter(resumeAt);
            if (validAfter != null) {
                throw new WalFormatException(Lsn.of(start), "corrupt WAL record at " + Lsn.of(start) + " ("
                        + source.describe(e.page) + "): " + e.getMessage() + "; valid WAL follows at "
                        + Lsn.of(validAfter) + ", so this is not the end of the WAL");
            }
            done = true;
            endReason = e.getMessage();
            return null;
        }
    }

    /** Following a stream: whether the record at {@code start} extends past the bytes received so far. */
    private boolean needsMoreBytes(long start) throws IOException {
        long avail = follow.receivedEnd();
        long pos = start;
        if (pos % XLog.XLOG_BLCKSZ == 0) {
            pos += pos % segSize == 0 ? XLog.SIZE_OF_LONG_PHD : XLog.SIZE_OF_SHORT_PHD;
        }
        if (Long.compareUnsigned(avail, pos + 4) < 0) {
            return true;
        }
        long pageStart = pos - pos % XLog.XLOG_BLCKSZ;
        if (!follow.readPage(pageStart, probe)) {
            return true;
        }
        long rem = Integer.toUnsignedLong(DecodedRecord.le32(probe, (int) (pos - pageStart)));
        if (rem < XLog.SIZE_OF_XLOG_RECORD || rem > maxRecordBytes) {
            return false;
        }
        while (rem > 0) {
            long room = XLog.XLOG_BLCKSZ - pos % XLog.XLOG_BLCKSZ;
            long n = Math.min(room, rem);
            rem -= n;
            pos += n;
            if (rem > 0) {
                pos += pos % segSize == 0 ? XLog.SIZE_OF_LONG_PHD : XLog.SIZE_OF_SHORT_PHD;
            }
        }
        return Long.compareUnsigned(avail, pos) < 0;
    }

    /** End of the last valid record read (PostgreSQL's {@code EndRecPtr}); where the next record starts. */
    public Lsn endLsn() {
        return Lsn.of(endLsn);
    }

    /** Why reading stopped ({@code null} while not at the end). */
    public String endReason() {
        return endReason;
    }

    public boolean atEnd() {
        return done;
    }

    public long recordsRead() {
        return records;
    }

    /** The system identifier from the long page headers read so far (0 before the first). */
    public long systemId() {
        return systemId;
    }

    public int timeline() {
        return timeline;
    }

    private DecodedRecord readRecordAt(long recPtrIn) throws IOException {
        long recPtr = recPtrIn;
        restart:
        while (true) {
            long pageStart = recPtr - Long.remainderUnsigned(recPtr, XLog.XLOG_BLCKSZ);
            loadPage(pageStart);
            int hdr = headerSize(page);
            int off = (int) (recPtr - pageStart);
            if (off == 0) {
                recPtr += hdr;
                off = hdr;
                if ((info(page) & XLog.XLP_FIRST_IS_CONTRECORD) != 0) {
                    throw new EndOfWal(pageStart, "contrecord is requested by " + Lsn.of(recPtr));
                }
            } else if (off < hdr) {
                throw new EndOfWal(pageStart, "invalid record offset at " + Lsn.of(recPtr));
            }
            long totLen = Integer.toUnsignedLong(DecodedRecord.le32(page, off));
            boolean headerChecked = false;
            if (off + XLog.SIZE_OF_XLOG_RECORD <= XLog.XLOG_BLCKSZ) {
                checkHeader(page, off, recPtr, pageStart);
                headerChecked = true;
            } else if (totLen < XLog.SIZE_OF_XLOG_RECORD) {
                throw new EndOfWal(pageStart, "invalid record length at " + Lsn.of(recPtr) + ": wanted 24, got " + totLen);
            }
            if (totLen > maxRecordBytes) {
                throw new EndOfWal(pageStart, "record length " + totLen + " at " + Lsn.of(recPtr)
                        + " exceeds the reader's limit of " + maxRecordBytes + " bytes");
            }
            byte[] rec = new byte[(int) totLen];
            int got = (int) Math.min(totLen, XLog.XLOG_BLCKSZ - off);
            System.arraycopy(page, off, rec, 0, got);
            long end = recPtr + got;
            long p = pageStart;
            while (got < totLen) {
                p += XLog.XLOG_BLCKSZ;
                loadPage(p);
                int pinfo = info(page);
                if ((pinfo & XLog.XLP_FIRST_IS_OVERWRITE_CONTRECORD) != 0) {
                    recPtr = p;
                    continue restart;
                }
                if ((pinfo & XLog.XLP_FIRST_IS_CONTRECORD) == 0) {
                    throw new EndOfWal(p, "there is no contrecord flag at " + Lsn.of(p));
                }
                long rem = Integer.toUnsignedLong(DecodedRecord.le32(page, 16));
                if (rem == 0 || totLen != rem + got) {
                    throw new EndOfWal(p, "invalid contrecord length " + rem + " (expected " + (totLen - got)
                            + ") at " + Lsn.of(p));
                }
                int h = headerSize(page);
                int n = (int) Math.min(rem, XLog.XLOG_BLCKSZ - h);
                System.arraycopy(page, h, rec, got, n);
                got += n;
                end = p + h + n;
                if (!headerChecked && got >= XLog.SIZE_OF_XLOG_RECORD) {
                    checkHeader(rec, 0, recPtr, p);
                    headerChecked = true;
                }
            }
            if (verifyCrc && DecodedRecord.computeCrc(rec) != DecodedRecord.le32(rec, XLog.OFF_CRC)) {
                throw new EndOfWal(p, "incorrect resource manager data checksum in record at " + Lsn.of(recPtr));
            }
            long recEnd = XLog.maxAlign(end);
            int rmid = rec[XLog.OFF_RMID] & 0xFF;
            int rinfo = rec[XLog.OFF_INFO] & 0xF0;
            if (rmid == ResourceManager.XLOG.id() && rinfo == 0x40) {  // XLOG_SWITCH: the rest of the segment is unused
                recEnd = recEnd + segSize - 1;
                recEnd -= Long.remainderUnsigned(recEnd, segSize);
            }
            DecodedRecord r;
            try {
                r = DecodedRecord.decodeOwned(rec, Lsn.of(recPtr), Lsn.of(recEnd), false);
            } catch (WalFormatException e) {
                throw new WalFormatException(Lsn.of(recPtr), e.getMessage() + " (" + source.describe(pageStart) + ")", e);
            }
            prevRecPtr = recPtr;
            nextRecPtr = recEnd;
            endLsn = recEnd;
            return r;
        }
    }

    private void checkHeader(byte[] b, int off, long recPtr, long pageOfFailure) {
        long totLen = Integer.toUnsignedLong(DecodedRecord.le32(b, off));
        if (totLen < XLog.SIZE_OF_XLOG_RECORD) {
            throw new EndOfWal(pageOfFailure, "invalid record length at " + Lsn.of(recPtr) + ": wanted 24, got " + totLen);
        }
        int rmid = b[off + XLog.OFF_RMID] & 0xFF;
        if (ResourceManager.byId(rmid) == null) {
            throw new EndOfWal(pageOfFailure, "invalid resource manager ID " + rmid + " at " + Lsn.of(recPtr));
        }
        long prev = DecodedRecord.le64(b, off + XLog.OFF_PREV);
        if (prevRecPtr >= 0 ? prev != prevRecPtr : Long.compareUnsigned(prev, recPtr) >= 0) {
            throw new EndOfWal(pageOfFailure, "record with incorrect prev-link " + Lsn.of(prev) + " at " + Lsn.of(recPtr));
        }
    }

    /** Loads and validates the page at {@code addr} into {@link #page}. */
    private void loadPage(long addr) throws IOException {
        if (addr == pageAddr) {
            return;
        }
        pageAddr = -1;
        if (!source.readPage(addr, page)) {
            throw new EndOfWal(addr, "no WAL after " + Lsn.of(addr) + " in " + sourceName(addr));
        }
        String bad = validatePage(page, addr);
        if (bad != null) {
            throw new EndOfWal(addr, bad);
        }

        int tli = DecodedRecord.le32(page, 4);
        if ((info(page) & XLog.XLP_LONG_HEADER) != 0) {
            systemId = DecodedRecord.le64(page, 24);
        }
        if (tli != timeline) {
            if (timeline != 0 && Integer.compareUnsigned(tli, timeline) < 0) {
                throw new EndOfWal(addr, "out-of-sequence timeline ID " + tli + " (after " + timeline + ") in "
                        + source.describe(addr));
            }
            timeline = tli;
        }
        // a partial page of a stream: use it now, read it again next time
        pageAddr = follow != null && !follow.pageComplete(addr) ? -1 : addr;
    }

    private String sourceName(long addr) {
        return source.describe(addr);
    }

    /** Why the page at {@code addr} is not a valid WAL page, or {@code null} if it is. */
    private String validatePage(byte[] p, long addr) {
        int magic = DecodedRecord.le16(p, 0);
        int info = info(p);
        String where = source.describe(addr);
        if (magic != XLog.XLOG_PAGE_MAGIC) {
            return String.format("invalid magic number %04X in %s", magic, where);
        }
        if ((info & ~XLog.XLP_ALL_FLAGS) != 0) {
            return String.format("invalid info bits %04X in %s", info, where);
        }
        boolean segStart = Long.remainderUnsigned(addr, segSize) == 0;
        if ((info & XLog.XLP_LONG_HEADER) != 0) {
            long sysid = DecodedRecord.le64(p, 24);
            if (systemId != 0 && sysid != systemId && DecodedRecord.le64(p, 8) == addr) {
                throw new WalFormatException(Lsn.of(addr), "WAL file is from a different database system: system id "
                        + Long.toUnsignedString(sysid) + ", expected " + Long.toUnsignedString(systemId) + " (" + where + ")");
            }
            if (DecodedRecord.le32(p, 32) != segSize || DecodedRecord.le32(p, 36) != XLog.XLOG_BLCKSZ) {
                return "incorrect segment size or XLOG_BLCKSZ in the page header of " + where;
            }
        } else if (segStart) {
            return String.format("invalid info bits %04X in %s (no long header at a segment start)", info, where);
        }
        long pa = DecodedRecord.le64(p, 8);
        if (pa != addr) {
            return "unexpected pageaddr " + Lsn.of(pa) + " in " + where;
        }
        return null;
    }

    /** The address of the first valid page after {@code from} within the rest of its segment and the next page after it, or null. */
    private Long firstValidPageAfter(long from) throws IOException {
        long segEnd = from - Long.remainderUnsigned(from, segSize) + segSize;
        long limit = Long.remainderUnsigned(from, segSize) == 0 ? from + XLog.XLOG_BLCKSZ : segEnd + XLog.XLOG_BLCKSZ;
        for (long a = from; Long.compareUnsigned(a, limit) < 0; a += XLog.XLOG_BLCKSZ) {
            boolean have;
            try {
                have = source.readPage(a, probe);
            } catch (WalFormatException e) {
                return null;
            }
            if (!have) {
                return null;
            }
            if (validatePage(probe, a) == null) {
                return a;
            }
        }
        return null;
    }

    private static int headerSize(byte[] p) {
        return (info(p) & XLog.XLP_LONG_HEADER) != 0 ? XLog.SIZE_OF_LONG_PHD : XLog.SIZE_OF_SHORT_PHD;
    }

    private static int info(byte[] p) {
        return DecodedRecord.le16(p, 2);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    /** Internal signal: the WAL ends here (unless valid pages follow). */
    private static final class EndOfWal extends RuntimeException {
        final long page;

        EndOfWal(long page, String message) {
            super(message, null, false, false);
            this.page = page;
        }
    }
}
