package io.storageengine.postgres.redo;

import java.util.List;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.VmClears;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.schemas.page.PageRef;

/**
 * The visibility-map bits that Heap INSERT, DELETE, UPDATE, HOT_UPDATE, LOCK and Heap2
 * MULTI_INSERT, LOCK_UPDATED clear implicitly ({@code *_ALL_VISIBLE_CLEARED},
 * {@code XLH_LOCK_ALL_FROZEN_CLEARED}). PostgreSQL's redo calls {@code visibilitymap_clear} on
 * the VM page of the heap block, but that page is not a block reference of the record.
 *
 * <p>How to key it: for each page returned by {@link #vmPagesOf}, store one more version of that
 * VM page (fork 2 of the heap relation, block = heap block / 32,672) at the record's end LSN,
 * holding the whole record; replay it with {@link #apply}. One entry per VM page, even when the
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
        return VmClears.of(PgRedoEngine.adapt(rec)).stream()
                .map(c -> new PageRef(c.spcOid(), c.dbOid(), c.relNumber(), 2, (int) c.vmBlock()))
                .distinct()
                .toList();
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
}
