package io.storageengine.postgres.redo;

import java.util.List;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.VmClears;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.heap.VmClearTargets;
import io.storageengine.schemas.page.PageRef;

/**
 * The visibility-map bits that Heap INSERT, DELETE, UPDATE, HOT_UPDATE, LOCK and Heap2
 * MULTI_INSERT, LOCK_UPDATED clear implicitly ({@code *_ALL_VISIBLE_CLEARED},
 * {@code XLH_LOCK_ALL_FROZEN_CLEARED}). PostgreSQL's redo calls {@code visibilitymap_clear} on
 * the VM page of the heap block, but that page is not a block reference of the record.
 *
 * <p>How it is keyed (WAL format 1.2): ingest's {@code PgRecordFrames} emits, for each page of
 * {@link #vmPagesOf} (postgres-wal's {@link VmClearTargets}, the one decision shared by ingest and
 * redo), a PG_RECORD frame with flag VM_OF_BLOCK keyed by that VM page (fork 2 of the heap
 * relation, block = heap block / 32,672) at the record's end LSN, holding the whole record; the
 * page-core provider replays it with {@link #applyFrame}. One frame per VM page, even when the
 * old and new heap blocks of an UPDATE share it ({@link #apply} clears both). The VM page's own
 * block references (Heap2 VISIBLE, XLOG FPI) go through {@link PgRedoEngine} as usual. Bits
 * set by {@code XLH_INSERT_ALL_FROZEN_SET} are not a clear.
 *
 * <p>LSN: PostgreSQL's {@code visibilitymap_clear} does not stamp the VM page (byte-exact
 * default). Neon stamps it (their issue 7935: a reader keyed by page LSN must see that the page
 * changed); pass {@code stampLsn = true} for that behaviour. Stateless and thread-safe.
 */
public final class VisibilityMapRedo {

    private VisibilityMapRedo() {
    }

    /** The VM pages (fork 2) whose bits the record clears; empty for most records. */
    public static List<PageRef> vmPagesOf(DecodedRecord rec) {
        return VmClearTargets.targets(rec).stream().map(VmClearTargets.Target::vmPage).toList();
    }

    /**
     * Clears, on VM page {@code vmPage} (8192 bytes, modified in place) named {@code vmRef}, the
     * bits the record clears there. An all-zero VM page stays all-zero. Returns whether a bit
     * changed.
     */
    public static boolean apply(byte[] vmPage, PageRef vmRef, DecodedRecord rec, long endLsn, boolean stampLsn) {
        if (vmPage.length != Page.SIZE) {
            throw new IllegalArgumentException("a page is " + Page.SIZE + " bytes, got " + vmPage.length);
        }
        if (vmRef.forkNum() != 2) {
            throw new IllegalArgumentException("not a visibility-map page: " + vmRef);
        }
        return VmClears.apply(vmPage, PgRedoEngine.adapt(rec), vmRef.spcOid(), vmRef.dbOid(), vmRef.relNumber(),
                Integer.toUnsignedLong(vmRef.blockNum()), endLsn, stampLsn);
    }

    /**
     * Replays a VM_OF_BLOCK frame: the VM page {@code vmRef} of the heap block named by block
     * reference {@code blockId} (which must be the frame's target, else {@link RedoException}), or,
     * with blockId {@link VmClearTargets#NO_BLOCK}, the VM tail page of a Storage TRUNCATE
     * ({@link SmgrTruncateRedo#truncateVmPage}).
     * As PostgreSQL's redo: {@code visibilitymap_pin} reads the page with {@code vm_readbuf},
     * which initializes a new (all-zero, or not yet existing) page with {@code PageInit(BLCKSZ, 0)}
     * (and {@code vm_extend} writes such pages when it creates them); then
     * {@code visibilitymap_clear} clears the bits without stamping the page LSN. Returns whether a
     * bit changed.
     */
    public static boolean applyFrame(byte[] vmPage, PageRef vmRef, DecodedRecord rec, int blockId, long endLsn) {
        PageRef target = VmClearTargets.targetOf(rec, blockId);
        if (!vmRef.equals(target)) {
            throw new RedoException(vmRef.toString(), endLsn, "VM_OF_BLOCK frame for block reference #" + blockId
                    + " of " + rec.rmgr() + "/" + rec.recordName() + " names " + vmRef + " but the record's"
                    + " visibility-map page for it is " + (target == null ? "none" : target.toString()));
        }
        if (blockId == VmClearTargets.NO_BLOCK) {
            // Storage TRUNCATE: visibilitymap_prepare_truncate on the tail page (no LSN stamp)
            SmgrTruncateRedo.truncateVmPage(vmPage, SmgrTruncateRedo.parse(rec).newBlocks());
            return true;
        }
        Page page = new Page(vmPage);
        if (page.isNew()) {
            page.init(0);
        }
        return apply(vmPage, vmRef, rec, endLsn, false);
    }
}
