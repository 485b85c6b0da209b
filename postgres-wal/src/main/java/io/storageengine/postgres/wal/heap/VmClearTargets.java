package io.storageengine.postgres.wal.heap;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.ResourceManager;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;

/**
 * Which visibility-map pages a record changes implicitly. PostgreSQL 15's heap redo
 * ({@code heap_xlog_insert}, {@code _multi_insert}, {@code _delete}, {@code _update},
 * {@code _lock}, {@code _lock_updated}) calls {@code visibilitymap_pin} + {@code visibilitymap_clear}
 * on the VM page of the heap block when the record's flags say so
 * ({@code XLH_*_ALL_VISIBLE_CLEARED}: both bits; {@code XLH_LOCK_ALL_FROZEN_CLEARED}: ALL_FROZEN),
 * even when the heap page itself is restored from a full-page image; that VM page (fork 2 of the
 * heap relation, block = heap block / {@value #HEAP_BLOCKS_PER_VM_PAGE}) is not a block reference.
 *
 * <p>Main-data offsets of the flags byte (PostgreSQL 15 {@code heapam_xlog.h}): xl_heap_insert 2,
 * xl_heap_multi_insert 0, xl_heap_delete / update / lock / lock_updated 7. Bits set by
 * {@code COPY FREEZE} ({@code XLH_INSERT_ALL_FROZEN_SET}) are not a clear: the primary logs them
 * as a separate Heap2 VISIBLE record whose block reference is the VM page.
 *
 * <p>Storage TRUNCATE with {@code SMGR_TRUNCATE_VM} ({@code smgr_redo} →
 * {@code visibilitymap_prepare_truncate}) clears, on the VM page that holds the new last heap
 * block, the bits of every heap block from the truncation point on, unless that point falls on a
 * VM page boundary. The record has no block references: its target has blockId {@link #NO_BLOCK}.
 * Stateless and thread-safe.
 */
public final class VmClearTargets {

    /** Heap blocks mapped by one VM page: (8192 - 24-byte header) bytes × 4 heap blocks a byte. */
    public static final int HEAP_BLOCKS_PER_VM_PAGE = (8192 - 24) * 4;
    /** VISIBILITYMAP_ALL_VISIBLE. */
    public static final int ALL_VISIBLE = 0x01;
    /** VISIBILITYMAP_ALL_FROZEN. */
    public static final int ALL_FROZEN = 0x02;
    /** VISIBILITYMAP_VALID_BITS. */
    public static final int VALID_BITS = 0x03;
    /** The blockId of a target that no block reference names (Storage TRUNCATE's VM tail page). */
    public static final int NO_BLOCK = 255;
    /** RM_SMGR_ID, XLOG_SMGR_TRUNCATE and SMGR_TRUNCATE_VM (PostgreSQL 15 storage_xlog.h). */
    static final int RM_SMGR = 2;
    static final int SMGR_TRUNCATE = 0x20;
    static final int SMGR_TRUNCATE_VM = 0x02;

    static final int HEAP_ALL_VISIBLE_CLEARED = 0x01;
    static final int UPDATE_OLD_ALL_VISIBLE_CLEARED = 0x01;
    static final int UPDATE_NEW_ALL_VISIBLE_CLEARED = 0x02;
    static final int LOCK_ALL_FROZEN_CLEARED = 0x01;

    /** {@code xl_info & XLOG_HEAP_OPMASK} of rmgr Heap, in order. */
    private enum HeapOp { INSERT, DELETE, UPDATE, TRUNCATE, HOT_UPDATE, CONFIRM, LOCK, INPLACE }

    /** {@code values()} once: it copies the array on every call. */
    private static final HeapOp[] HEAP_OPS = HeapOp.values();

    /** {@code xl_info & XLOG_HEAP_OPMASK} of rmgr Heap2, in order. */
    private enum Heap2Op { REWRITE, PRUNE, VACUUM, FREEZE_PAGE, VISIBLE, MULTI_INSERT, LOCK_UPDATED, NEW_CID }

    /** {@code values()} once: it copies the array on every call. */
    private static final Heap2Op[] HEAP2_OPS = Heap2Op.values();

    /**
     * One {@code visibilitymap_clear}: bits {@code bits} of heap block {@code heapBlock} of the heap
     * relation named by block reference {@code blockId} (for an UPDATE's old block: block 1, or
     * block 0 when old and new are the same page).
     */
    public record Clear(int blockId, int spcOid, int dbOid, int relNumber, long heapBlock, int bits) {
        /** The VM block that holds this heap block's bits. */
        public long vmBlock() {
            return heapBlock / HEAP_BLOCKS_PER_VM_PAGE;
        }

        /** The VM page (fork 2 of the same relation). */
        public PageRef vmPage() {
            return new PageRef(spcOid, dbOid, relNumber, Fork.VM.number(), (int) vmBlock());
        }
    }

    /**
     * A VM page the record changes and the block reference that names it in a VM_OF_BLOCK frame:
     * the lowest block id among the clears that fall on that page.
     */
    public record Target(int blockId, PageRef vmPage) {
    }

    private VmClearTargets() {
    }

    /** The clears of a decoded record, in the order PostgreSQL performs them (empty for most records). */
    public static List<Clear> clears(DecodedRecord r) {
        return clears(r.rmid(), r.info(), r.mainData(), id -> {
            BlockRef b = r.block(id);
            return b == null ? null : b.pageRef();
        });
    }

    /**
     * The clears of a record given its parts: {@code mainData} (read absolutely from its position,
     * not consumed) and {@code block} (block id → its page, null if absent).
     */
    public static List<Clear> clears(int rmid, int info, ByteBuffer mainData, IntFunction<PageRef> block) {
        ResourceManager rmgr = ResourceManager.byId(rmid);
        PageRef b0 = block.apply(0);
        if (rmgr == null || b0 == null || mainData == null) {
            return List.of();
        }
        int n = mainData.remaining();
        int at = mainData.position();
        List<Clear> out = new ArrayList<>(2);
        if (rmgr == ResourceManager.HEAP) {
            switch (HEAP_OPS[(info & 0x70) >> 4]) {
                case INSERT -> {
                    if (n >= 3 && (mainData.get(at + 2) & HEAP_ALL_VISIBLE_CLEARED) != 0) {
                        out.add(clear(0, b0, b0.blockNum(), VALID_BITS));
                    }
                }
                case DELETE -> {
                    if (n >= 8 && (mainData.get(at + 7) & HEAP_ALL_VISIBLE_CLEARED) != 0) {
                        out.add(clear(0, b0, b0.blockNum(), VALID_BITS));
                    }
                }
                case UPDATE, HOT_UPDATE -> {
                    if (n >= 8) {
                        int flags = mainData.get(at + 7);
                        PageRef old = block.apply(1);
                        if ((flags & UPDATE_OLD_ALL_VISIBLE_CLEARED) != 0) {
                            out.add(old == null ? clear(0, b0, b0.blockNum(), VALID_BITS)
                                    : clear(1, b0, old.blockNum(), VALID_BITS));
                        }
                        if ((flags & UPDATE_NEW_ALL_VISIBLE_CLEARED) != 0) {
                            out.add(clear(0, b0, b0.blockNum(), VALID_BITS));
                        }
                    }
                }
                case LOCK -> {
                    if (n >= 8 && (mainData.get(at + 7) & LOCK_ALL_FROZEN_CLEARED) != 0) {
                        out.add(clear(0, b0, b0.blockNum(), ALL_FROZEN));
                    }
                }
                case TRUNCATE, CONFIRM, INPLACE -> {
                }
            }
        } else if (rmgr == ResourceManager.HEAP2) {
            switch (HEAP2_OPS[(info & 0x70) >> 4]) {
                case MULTI_INSERT -> {
                    if (n >= 1 && (mainData.get(at) & HEAP_ALL_VISIBLE_CLEARED) != 0) {
                        out.add(clear(0, b0, b0.blockNum(), VALID_BITS));
                    }
                }
                case LOCK_UPDATED -> {
                    if (n >= 8 && (mainData.get(at + 7) & LOCK_ALL_FROZEN_CLEARED) != 0) {
                        out.add(clear(0, b0, b0.blockNum(), ALL_FROZEN));
                    }
                }
                case REWRITE, PRUNE, VACUUM, FREEZE_PAGE, VISIBLE, NEW_CID -> {
                }
            }
        }
        return out;
    }

    /**
     * The VM pages the record changes, one entry per page (an UPDATE whose old and new heap blocks
     * share a VM page gives one), in the order of their first clear.
     */
    public static List<Target> targets(DecodedRecord r) {
        PageRef tail = truncateTarget(r.rmid(), r.info(), r.mainData());
        if (tail != null) {
            return List.of(new Target(NO_BLOCK, tail));
        }
        List<Clear> clears = clears(r);
        if (clears.isEmpty()) {
            return List.of();
        }
        List<Target> out = new ArrayList<>(clears.size());
        for (Clear c : clears) {
            PageRef vm = c.vmPage();
            int found = -1;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).vmPage().equals(vm)) {
                    found = i;
                }
            }
            if (found < 0) {
                out.add(new Target(c.blockId(), vm));
            } else if (c.blockId() < out.get(found).blockId()) {
                out.set(found, new Target(c.blockId(), vm));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The VM page a VM_OF_BLOCK frame for block reference {@code blockId} must name, or null if
     * the record has no such block reference or does not change that block's VM page.
     */
    public static PageRef targetOf(DecodedRecord r, int blockId) {
        for (Target t : targets(r)) {
            if (t.blockId() == blockId) {
                return t.vmPage();
            }
        }
        return null;
    }

    /**
     * The VM page a Storage TRUNCATE record changes (xl_smgr_truncate: u32 blkno, RelFileLocator
     * spc/db/rel, i32 flags), or null: another record, no SMGR_TRUNCATE_VM, or a truncation point
     * on a VM page boundary (PostgreSQL then only cuts the fork).
     */
    public static PageRef truncateTarget(int rmid, int info, ByteBuffer mainData) {
        if (rmid != RM_SMGR || (info & 0xF0) != SMGR_TRUNCATE || mainData.remaining() < 20) {
            return null;
        }
        ByteBuffer m = mainData.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int at = m.position();
        return truncateTarget(m.getInt(at + 4), m.getInt(at + 8), m.getInt(at + 12),
                Integer.toUnsignedLong(m.getInt(at)), m.getInt(at + 16));
    }

    /**
     * The VM page {@code visibilitymap_prepare_truncate} changes when relation spc/db/rel is cut to
     * {@code newBlocks} heap blocks with xl_smgr_truncate {@code flags}, or null (no
     * SMGR_TRUNCATE_VM, or the cut falls on a VM page boundary).
     */
    public static PageRef truncateTarget(int spcOid, int dbOid, int relNumber, long newBlocks, int flags) {
        if ((flags & SMGR_TRUNCATE_VM) == 0 || newBlocks % HEAP_BLOCKS_PER_VM_PAGE == 0) {
            return null;
        }
        return new PageRef(spcOid, dbOid, relNumber, Fork.VM.number(), (int) (newBlocks / HEAP_BLOCKS_PER_VM_PAGE));
    }

    private static Clear clear(int blockId, PageRef rel, long heapBlock, int bits) {
        return new Clear(blockId, rel.spcOid(), rel.dbOid(), rel.relNumber(), Integer.toUnsignedLong((int) heapBlock), bits);
    }
}
