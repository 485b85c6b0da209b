package io.storageengine.schemas.page;

import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The PG_RECORD (type 0x04) layout of WAL format 1.2 (type added in 1.1, flag VM_OF_BLOCK in 1.2),
 * and the header checks every reader applies.
 * Stateless and thread-safe; allocation-free on the valid path.
 *
 * <pre>
 * payload: PageRef(17) | body
 * body:    u8 blockId | u8 flags | u16 pgMajor (15, big-endian) | XLogRecord (xl_tot_len bytes)
 * flags:   bit 0 WILL_INIT, bit 1 REDUCED, bit 2 VM_OF_BLOCK (1.2: the PageRef is the visibility-map
 *          page of the heap block named by blockId; never with WILL_INIT; Heap or Heap2 records only),
 *          other bits zero
 * XLogRecord header (24 bytes, little-endian as PostgreSQL writes it on x86):
 *   xl_tot_len u32 @0 | xl_xid u32 @4 | xl_prev u64 @8 | xl_info u8 @16 | xl_rmid u8 @17 | pad @18 | xl_crc u32 @20
 * </pre>
 * The body is also what a page version stores after its type byte, so the same offsets serve the
 * wire and the stores.
 */
public final class PgRecordFormat {
    /** Offset of blockId in the body (after the PageRef). */
    public static final int BLOCK_ID = 0;
    public static final int FLAGS = 1;
    public static final int PG_MAJOR = 2;
    /** Offset of the XLogRecord in the body. */
    public static final int RECORD = 4;
    /** The PostgreSQL major version this format carries. */
    public static final int SUPPORTED_PG_MAJOR = 15;
    public static final int WILL_INIT = 0x01;
    public static final int REDUCED = 0x02;
    /**
     * Format 1.2: the frame's PageRef is the visibility-map page (fork 2, block = heap block / 32672)
     * of the heap block named by block reference blockId, and its effect is the VM clears the record
     * makes implicitly on that page (no page LSN stamp).
     */
    public static final int VM_OF_BLOCK = 0x04;
    public static final int KNOWN_FLAGS = WILL_INIT | REDUCED | VM_OF_BLOCK;
    /** PostgreSQL's RM_SMGR_ID: Storage TRUNCATE changes the VM tail page (format 1.3). */
    static final int RM_SMGR = 2;
    /** PostgreSQL's RM_HEAP2_ID and RM_HEAP_ID: with RM_SMGR_ID, the only records a VM_OF_BLOCK frame may carry. */
    public static final int RM_HEAP2 = 9;
    public static final int RM_HEAP = 10;
    /** The fork number of the visibility map. */
    public static final int VM_FORK = 2;
    /** Size of PostgreSQL's XLogRecord header ({@code SizeOfXLogRecord}). */
    public static final int XLOG_HEADER_SIZE = 24;
    /** Smallest valid body: the 4-byte header and an XLogRecord header. */
    public static final int MIN_BODY = RECORD + XLOG_HEADER_SIZE;
    /** Smallest valid payload: PageRef, the 4-byte header and an XLogRecord header. */
    public static final int MIN_PAYLOAD = PageRef.SIZE + MIN_BODY;
    /** Offsets inside the XLogRecord header. */
    public static final int XL_TOT_LEN = 0;
    public static final int XL_INFO = 16;
    public static final int XL_RMID = 17;

    private PgRecordFormat() {
    }

    /**
     * Checks a PG_RECORD body (view from blockId to the end of the record; not consumed): length,
     * pgMajor 15, only flag bits 0-2, VM_OF_BLOCK not with WILL_INIT and only on a Heap, Heap2 or
     * Storage record, and {@code xl_tot_len} equal to the record bytes present.
     *
     * @throws BadRecordException naming the LSN and the rule broken
     */
    public static void validateBody(long lsn, ByteBuffer body) throws BadRecordException {
        int p = body.position();
        int n = body.remaining();
        if (n < MIN_BODY) {
            throw new BadRecordException(lsn, "PG_RECORD payload of " + (n + PageRef.SIZE) + " bytes is shorter than "
                    + MIN_PAYLOAD + " (PageRef, header and an XLogRecord header)");
        }
        int flags = body.get(p + FLAGS) & 0xFF;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new BadRecordException(lsn, "PG_RECORD has unknown flag bits 0x" + Integer.toHexString(flags));
        }
        if ((flags & VM_OF_BLOCK) != 0) {
            if ((flags & WILL_INIT) != 0) {
                throw new BadRecordException(lsn, "PG_RECORD has both VM_OF_BLOCK and WILL_INIT (a VM_OF_BLOCK frame"
                        + " only clears bits)");
            }
            int rmid = body.get(p + RECORD + XL_RMID) & 0xFF;
            if (rmid != RM_HEAP && rmid != RM_HEAP2 && rmid != RM_SMGR) {
                throw new BadRecordException(lsn, "PG_RECORD with VM_OF_BLOCK carries a record of rmgr " + rmid
                        + "; only Heap (10), Heap2 (9) and Storage (2, TRUNCATE) records change visibility-map"
                        + " pages implicitly");
            }
        }
        // big-endian, whatever the view's byte order
        int major = ((body.get(p + PG_MAJOR) & 0xFF) << 8) | (body.get(p + PG_MAJOR + 1) & 0xFF);
        if (major != SUPPORTED_PG_MAJOR) {
            throw new BadRecordException(lsn, "PG_RECORD of PostgreSQL major version " + major + ", only "
                    + SUPPORTED_PG_MAJOR + " is supported");
        }
        long totLen = Integer.toUnsignedLong(body.order() == ByteOrder.LITTLE_ENDIAN
                ? body.getInt(p + RECORD + XL_TOT_LEN) : Integer.reverseBytes(body.getInt(p + RECORD + XL_TOT_LEN)));
        if (totLen != n - RECORD) {
            throw new BadRecordException(lsn, "PG_RECORD xl_tot_len is " + totLen + " but " + (n - RECORD)
                    + " record bytes follow");
        }
    }

    /**
     * Checks what a PG_RECORD's PageRef alone can tell: with VM_OF_BLOCK it must name a page of the
     * visibility-map fork. (That it is the VM page of block reference blockId's heap block needs
     * the decoded record: postgres-wal's {@code PgRecordPayload.parse}.)
     */
    public static void validatePage(long lsn, PageRef page, ByteBuffer body) throws BadRecordException {
        int flags = body.get(body.position() + FLAGS) & 0xFF;
        if ((flags & VM_OF_BLOCK) != 0 && page.forkNum() != VM_FORK) {
            throw new BadRecordException(lsn, "PG_RECORD with VM_OF_BLOCK names " + page
                    + ", which is not a visibility-map page (fork 2)");
        }
    }

    /** The XLogRecord of a body as a little-endian read-only view (the body is not consumed). */
    public static ByteBuffer record(ByteBuffer body) {
        return body.slice(body.position() + RECORD, body.remaining() - RECORD).asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code xl_rmid} of an XLogRecord view (absolute, from the view's position). */
    public static int rmgrId(ByteBuffer record) {
        return record.get(record.position() + XL_RMID) & 0xFF;
    }

    /** {@code xl_info} of an XLogRecord view. */
    public static int info(ByteBuffer record) {
        return record.get(record.position() + XL_INFO) & 0xFF;
    }

    /** Text for messages: the LSN and the record's resource manager and info byte. */
    public static String describe(long lsn, ByteBuffer record) {
        return "rmgr " + rmgrId(record) + " info 0x" + Integer.toHexString(info(record)) + " at LSN " + Lsn.format(lsn);
    }
}
