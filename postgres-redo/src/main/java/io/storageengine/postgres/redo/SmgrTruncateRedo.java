package io.storageengine.postgres.redo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.VisibilityMapPage;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.ResourceManager;
import io.storageengine.postgres.wal.heap.VmClearTargets;
import io.storageengine.schemas.page.PageRef;

/**
 * Page effects of Storage/TRUNCATE (PostgreSQL 15 {@code smgr_redo}), a record with no block
 * references: the relation's forks shrink (the relation-size metadata's job), and with
 * {@code SMGR_TRUNCATE_VM} the last remaining visibility-map page loses the bits of the
 * truncated heap blocks ({@code visibilitymap_prepare_truncate}); that page must get a version
 * at the record's end LSN, replayed with {@link #truncateVmPage}. The FSM's tail page is not
 * changed: PostgreSQL zeroes its slots past the new end without WAL ({@code fsm_truncate_avail}),
 * so the page served keeps its last image's slots for the truncated blocks. That is safe, not
 * exact: the FSM is advisory, PostgreSQL 15 checks a block the FSM offers still exists
 * ({@code fsm_does_block_exist}) and VACUUM rewrites the slots. Stateless.
 */
public final class SmgrTruncateRedo {

    public static final int TRUNCATE_HEAP = 0x01;
    public static final int TRUNCATE_VM = 0x02;
    public static final int TRUNCATE_FSM = 0x04;

    /** xl_smgr_truncate: the relation (fork 0, block 0 of {@code rel}), its new size in blocks, the flags. */
    public record Truncate(PageRef rel, long newBlocks, int flags) {
        /** The VM page to change, or null when the truncation point falls on a VM page boundary (or no VM truncation). */
        public PageRef vmTailPage() {
            return VmClearTargets.truncateTarget(rel.spcOid(), rel.dbOid(), rel.relNumber(), newBlocks, flags);
        }

        /** Whether {@code page}, a page of this relation, is gone after the truncation (by fork and block). */
        public boolean removes(PageRef page) {
            long block = Integer.toUnsignedLong(page.blockNum());
            long vmBlocks = (newBlocks + VisibilityMapPage.HEAPBLOCKS_PER_PAGE - 1) / VisibilityMapPage.HEAPBLOCKS_PER_PAGE;
            return switch (page.forkNum()) {
                case 0 -> (flags & TRUNCATE_HEAP) != 0 && block >= newBlocks;
                case 1 -> (flags & TRUNCATE_FSM) != 0;
                case 2 -> (flags & TRUNCATE_VM) != 0 && block >= vmBlocks;
                default -> false;
            };
        }
    }

    private SmgrTruncateRedo() {
    }

    /** The truncation a Storage/TRUNCATE record describes, or null for any other record. */
    public static Truncate parse(DecodedRecord rec) {
        if (rec.rmgr() != ResourceManager.STORAGE || (rec.info() & 0xF0) != 0x20 || rec.mainDataLength() < 20) {
            return null;
        }
        ByteBuffer m = rec.mainData().order(ByteOrder.LITTLE_ENDIAN);
        long blkno = Integer.toUnsignedLong(m.getInt(0));
        return new Truncate(new PageRef(m.getInt(4), m.getInt(8), m.getInt(12), 0, 0), blkno, m.getInt(16));
    }

    /**
     * The truncation on a replayed page set (modified): the relation's pages past the new size go
     * ({@link Truncate#removes}), and the VM tail page, if held, loses the truncated blocks' bits.
     */
    public static void applyTo(Truncate t, java.util.Map<PageRef, byte[]> pages) {
        PageRef rel = t.rel();
        pages.keySet().removeIf(k -> k.spcOid() == rel.spcOid() && k.dbOid() == rel.dbOid()
                && k.relNumber() == rel.relNumber() && t.removes(k));
        PageRef tail = t.vmTailPage();
        if (tail != null && pages.containsKey(tail)) {
            truncateVmPage(pages.get(tail), t.newBlocks());
        }
    }

    /**
     * visibilitymap_prepare_truncate on the tail VM page (modified in place): bits of heap blocks
     * from {@code newHeapBlocks} on are cleared. A new (all-zero) page is initialized first, as
     * PostgreSQL's vm_readbuf does before the page is dirtied. The LSN is not stamped.
     */
    public static void truncateVmPage(byte[] vmPage, long newHeapBlocks) {
        Page page = new Page(vmPage);
        if (page.isNew()) {
            page.init(0);
        }
        long inPage = newHeapBlocks % VisibilityMapPage.HEAPBLOCKS_PER_PAGE;
        int truncByte = (int) (inPage / 4);
        int truncShift = (int) (inPage % 4) * 2;
        int map = Page.HEADER_SIZE;
        Arrays.fill(vmPage, map + truncByte + 1, map + VisibilityMapPage.MAPSIZE, (byte) 0);
        vmPage[map + truncByte] &= (byte) ((1 << truncShift) - 1);
    }
}
