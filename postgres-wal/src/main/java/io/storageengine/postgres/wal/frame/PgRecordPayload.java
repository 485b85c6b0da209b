package io.storageengine.postgres.wal.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.postgres.wal.heap.VmClearTargets;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.PgRecordFormat;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.Lsn;

/**
 * The payload of a PG_RECORD frame, parsed and checked: the block reference {@code blockId} must
 * exist in the record and name the frame's page, or with {@link #VM_OF_BLOCK} (WAL format 1.2) the
 * frame's page must be the visibility-map page of that block reference's heap block on which the
 * record clears bits ({@link VmClearTargets}), with {@code blockId} the lowest block id whose
 * clears fall there. Immutable.
 *
 * @param page     the page the frame is keyed by
 * @param blockId  which block reference of the record this frame is for
 * @param flags    {@link #WILL_INIT} | {@link #REDUCED} | {@link #VM_OF_BLOCK}
 * @param pgMajor  PostgreSQL major version of the record format (15)
 * @param record   the decoded record (its CRC is checked only when not REDUCED)
 */
public record PgRecordPayload(PageRef page, int blockId, int flags, int pgMajor, DecodedRecord record) {

    /** The frame type code of PG_RECORD in the WAL format. */
    public static final int TYPE_CODE = RecordType.PG_RECORD.code();
    /** PageRef(17) + blockId(1) + flags(1) + pgMajor(2). */
    public static final int HEADER_SIZE = PageRef.SIZE + 4;
    public static final int WILL_INIT = PgRecordFormat.WILL_INIT;
    public static final int REDUCED = PgRecordFormat.REDUCED;
    public static final int VM_OF_BLOCK = PgRecordFormat.VM_OF_BLOCK;
    public static final int PG_MAJOR = PgRecordFormat.SUPPORTED_PG_MAJOR;

    public boolean willInit() {
        return (flags & WILL_INIT) != 0;
    }

    public boolean reduced() {
        return (flags & REDUCED) != 0;
    }

    public boolean vmOfBlock() {
        return (flags & VM_OF_BLOCK) != 0;
    }

    /** This frame's block reference (with VM_OF_BLOCK: the heap block whose VM page this is). */
    public BlockRef block() {
        return record.block(blockId);
    }

    /** Writes the payload header for {@code page}; the record bytes follow. */
    public static void writeHeader(ByteBuffer out, PageRef page, int blockId, int flags) {
        page.write(out.order(ByteOrder.BIG_ENDIAN));
        out.put((byte) blockId).put((byte) flags).putShort((short) PG_MAJOR);
    }

    /**
     * Parses a PG_RECORD payload of the frame at {@code lsn}.
     *
     * @throws WalFormatException naming the LSN if the payload is malformed, of another PostgreSQL
     *                            version, or its block reference does not exist or names another page
     */
    public static PgRecordPayload parse(ByteBuffer payload, long lsn) {
        ByteBuffer b = payload.duplicate().order(ByteOrder.BIG_ENDIAN);
        Lsn at = Lsn.of(lsn);
        if (b.remaining() < HEADER_SIZE + 24) {
            throw new WalFormatException(at, "PG_RECORD at " + at + ": payload of " + b.remaining() + " bytes is too short");
        }
        PageRef page = PageRef.read(b);
        int blockId = b.get() & 0xFF;
        int flags = b.get() & 0xFF;
        int major = b.getShort() & 0xFFFF;
        if (major != PG_MAJOR) {
            throw new WalFormatException(at, "PG_RECORD at " + at + ": PostgreSQL major version " + major + ", only 15 is supported");
        }
        if ((flags & ~(WILL_INIT | REDUCED | VM_OF_BLOCK)) != 0) {
            throw new WalFormatException(at, "PG_RECORD at " + at + ": unknown flag bits 0x" + Integer.toHexString(flags));
        }
        if ((flags & (VM_OF_BLOCK | WILL_INIT)) == (VM_OF_BLOCK | WILL_INIT)) {
            throw new WalFormatException(at, "PG_RECORD at " + at + ": VM_OF_BLOCK with WILL_INIT");
        }
        int totLen = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (totLen != b.remaining()) {
            throw new WalFormatException(at, "PG_RECORD at " + at + ": xl_tot_len " + Integer.toUnsignedString(totLen)
                    + " but " + b.remaining() + " record bytes");
        }
        DecodedRecord r = DecodedRecord.decode(b, lsn, (flags & REDUCED) == 0);
        if ((flags & VM_OF_BLOCK) != 0 && blockId == VmClearTargets.NO_BLOCK) {
            // Storage TRUNCATE: the VM tail page, named by no block reference (format 1.3)
            PageRef vm = VmClearTargets.truncateTarget(r.rmid(), r.info(), r.mainData());
            if (vm == null || !vm.equals(page)) {
                throw new WalFormatException(at, "PG_RECORD at " + at + ": VM_OF_BLOCK without a block reference names "
                        + page + ", but the record (" + r.rmgr() + " " + r.recordName() + ") changes "
                        + (vm == null ? "no visibility-map tail page" : "the visibility-map tail page " + vm));
            }
            return new PgRecordPayload(page, blockId, flags, major, r);
        }
        BlockRef blk = r.block(blockId);
        if (blk == null) {
            throw new WalFormatException(at, "PG_RECORD at " + at + ": the record has no block reference " + blockId);
        }
        if ((flags & VM_OF_BLOCK) != 0) {
            PageRef vm = VmClearTargets.targetOf(r, blockId);
            if (vm == null) {
                throw new WalFormatException(at, "PG_RECORD at " + at + ": VM_OF_BLOCK for block reference " + blockId
                        + " (" + blk.pageRef() + ") but the record (" + r.rmgr() + " " + r.recordName()
                        + ") clears no visibility-map bits for it");
            }
            if (!vm.equals(page)) {
                throw new WalFormatException(at, "PG_RECORD at " + at + ": VM_OF_BLOCK for block reference " + blockId
                        + " names " + page + ", the visibility-map page of " + blk.pageRef() + " is " + vm);
            }
        } else if (!blk.pageRef().equals(page)) {
            throw new WalFormatException(at, "PG_RECORD at " + at + ": block reference " + blockId + " names "
                    + blk.pageRef() + ", the frame names " + page);
        }
        return new PgRecordPayload(page, blockId, flags, major, r);
    }
}
