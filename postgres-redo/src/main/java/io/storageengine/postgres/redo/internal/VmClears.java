package io.storageengine.postgres.redo.internal;

import java.nio.ByteBuffer;
import java.util.List;

import io.storageengine.postgres.wal.heap.VmClearTargets;
import io.storageengine.schemas.page.PageRef;

/**
 * The visibility-map bits that heap records clear implicitly (PostgreSQL 15 heap_xlog_insert,
 * _multi_insert, _delete, _update, _lock, _lock_updated call visibilitymap_clear before touching
 * the heap page). Which clears a record makes is decided in postgres-wal
 * ({@link VmClearTargets}, shared with ingest, which keys a VM_OF_BLOCK frame by each VM page);
 * this class adapts the redo's record view to it and applies the clears to a VM page. Stateless.
 */
public final class VmClears {

    private VmClears() {
    }

    /** The clears of a record, in the order PostgreSQL performs them (empty for most records). */
    public static List<VmClearTargets.Clear> of(RedoRecord rec) {
        byte[] main = rec.mainData();
        return VmClearTargets.clears(rec.rmid(), rec.info(), main == null ? null : ByteBuffer.wrap(main), id -> {
            RedoBlock b = rec.block(id);
            return b == null ? null : new PageRef(b.spcOid(), b.dbOid(), b.relNumber(), b.fork(), b.blockNumber());
        });
    }

    /**
     * Applies the record's clears that fall on VM block {@code vmBlock} of relation
     * {@code spc/db/rel} to {@code vmPage}. An all-zero (new) VM page stays as it is (nothing is
     * set on it; PostgreSQL initializes it in its buffer without writing it). The page LSN is
     * stamped only when {@code stampLsn} and a bit actually changed. Returns whether a bit changed.
     */
    public static boolean apply(byte[] vmPage, RedoRecord rec, int spcOid, int dbOid, int relNumber, long vmBlock,
                                long lsn, boolean stampLsn) {
        Page page = new Page(vmPage);
        if (page.isNew()) {
            return false;
        }
        boolean changed = false;
        for (VmClearTargets.Clear c : of(rec)) {
            if (c.spcOid() == spcOid && c.dbOid() == dbOid && c.relNumber() == relNumber && c.vmBlock() == vmBlock) {
                changed |= VisibilityMapPage.clear(vmPage, (int) c.heapBlock(), c.bits());
            }
        }
        if (changed && stampLsn) {
            page.setLsn(lsn);
        }
        return changed;
    }

    /** {@code clears} (of {@code rec}, see {@link #of}) on the VM pages of a replayed page set that holds them; no LSN stamp. */
    public static void applyTo(java.util.Map<PageRef, byte[]> pages, RedoRecord rec, List<VmClearTargets.Clear> clears,
            long endLsn) {
        for (VmClearTargets.Clear c : clears) {
            byte[] vm = pages.get(new PageRef(c.spcOid(), c.dbOid(), c.relNumber(), 2, (int) c.vmBlock()));
            if (vm != null) {
                apply(vm, rec, c.spcOid(), c.dbOid(), c.relNumber(), c.vmBlock(), endLsn, false);
            }
        }
    }
}
