package io.storageengine.postgres.redo.internal;

import java.util.ArrayList;
import java.util.List;

import io.storageengine.postgres.wal.ResourceManager;

/**
 * The visibility-map bits that heap records clear implicitly (PostgreSQL 15 heap_xlog_insert,
 * _multi_insert, _delete, _update, _lock, _lock_updated call visibilitymap_clear before touching
 * the heap page). The VM page is not a block reference of those records: each clear names the
 * heap relation (its block reference's spc/db/rel), the heap block and the bits. Stateless.
 */
public final class VmClears {

    /** One visibilitymap_clear: the VM page is fork 2, block {@link #vmBlock()} of the same relation. */
    public record Clear(int spcOid, int dbOid, int relNumber, int heapBlock, int bits) {
        public long vmBlock() {
            return VisibilityMapPage.mapBlock(heapBlock);
        }
    }

    private VmClears() {
    }

    /** The clears of a record, in the order PostgreSQL performs them (empty for most records). */
    public static List<Clear> of(RedoRecord rec) {
        ResourceManager rmgr = ResourceManager.byId(rec.rmid());
        byte[] main = rec.mainData();
        RedoBlock b0 = rec.block(0);
        if (rmgr == null || b0 == null || main == null) {
            return List.of();
        }
        List<Clear> out = new ArrayList<>(2);
        if (rmgr == ResourceManager.HEAP) {
            switch (HeapRedo.kind(rec.info())) {
                case INSERT -> {
                    if (main.length >= 3 && (main[2] & HeapRedo.INSERT_ALL_VISIBLE_CLEARED) != 0) {
                        out.add(clear(b0, b0.blockNumber(), VisibilityMapPage.VALID_BITS));
                    }
                }
                case DELETE -> {
                    if (main.length >= 8 && (main[7] & HeapRedo.DELETE_ALL_VISIBLE_CLEARED) != 0) {
                        out.add(clear(b0, b0.blockNumber(), VisibilityMapPage.VALID_BITS));
                    }
                }
                case UPDATE, HOT_UPDATE -> {
                    if (main.length >= 8) {
                        RedoBlock old = rec.block(1);
                        int oldBlk = old == null ? b0.blockNumber() : old.blockNumber();
                        if ((main[7] & HeapRedo.UPDATE_OLD_ALL_VISIBLE_CLEARED) != 0) {
                            out.add(clear(b0, oldBlk, VisibilityMapPage.VALID_BITS));
                        }
                        if ((main[7] & HeapRedo.UPDATE_NEW_ALL_VISIBLE_CLEARED) != 0) {
                            out.add(clear(b0, b0.blockNumber(), VisibilityMapPage.VALID_BITS));
                        }
                    }
                }
                case LOCK -> {
                    if (main.length >= 8 && (main[7] & HeapRedo.LOCK_ALL_FROZEN_CLEARED) != 0) {
                        out.add(clear(b0, b0.blockNumber(), VisibilityMapPage.ALL_FROZEN));
                    }
                }
                case TRUNCATE, CONFIRM, INPLACE -> {
                }
            }
        } else if (rmgr == ResourceManager.HEAP2) {
            switch (Heap2Redo.kind(rec.info())) {
                case MULTI_INSERT -> {
                    if (main.length >= 1 && (main[0] & HeapRedo.INSERT_ALL_VISIBLE_CLEARED) != 0) {
                        out.add(clear(b0, b0.blockNumber(), VisibilityMapPage.VALID_BITS));
                    }
                }
                case LOCK_UPDATED -> {
                    if (main.length >= 8 && (main[7] & HeapRedo.LOCK_ALL_FROZEN_CLEARED) != 0) {
                        out.add(clear(b0, b0.blockNumber(), VisibilityMapPage.ALL_FROZEN));
                    }
                }
                case REWRITE, PRUNE, VACUUM, FREEZE_PAGE, VISIBLE, NEW_CID -> {
                }
            }
        }
        return out;
    }

    private static Clear clear(RedoBlock rel, int heapBlock, int bits) {
        return new Clear(rel.spcOid(), rel.dbOid(), rel.relNumber(), heapBlock, bits);
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
        for (Clear c : of(rec)) {
            if (c.spcOid() == spcOid && c.dbOid() == dbOid && c.relNumber() == relNumber && c.vmBlock() == vmBlock) {
                changed |= VisibilityMapPage.clear(vmPage, c.heapBlock(), c.bits());
            }
        }
        if (changed && stampLsn) {
            page.setLsn(lsn);
        }
        return changed;
    }
}
