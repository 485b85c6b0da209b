package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.RedoException;
import io.storageengine.postgres.redo.RedoUnsupportedException;
import io.storageengine.postgres.wal.ResourceManager;

/**
 * Dispatch of one record to one block: full-page image first (BKPIMAGE_APPLY, as
 * XLogReadBufferForRedo: restore, then stamp the LSN unless the image is a new page), then the
 * resource manager's redo for the target block. Resource managers and kinds not implemented
 * throw {@link RedoUnsupportedException}; records that cannot apply throw {@link
 * RedoException}. Stateless apart from the option below; thread-safe.
 */
public final class Redo {

    private final boolean hintBitsLogged;

    /** @param hintBitsLogged XLogHintBitIsNeeded() on the server that wrote the WAL (checksums or wal_log_hints) */
    public Redo(boolean hintBitsLogged) {
        this.hintBitsLogged = hintBitsLogged;
    }

    public void apply(byte[] page, RedoRecord rec, int blockId, long lsn) {
        if (page.length != Page.SIZE) {
            throw new IllegalArgumentException("a page is " + Page.SIZE + " bytes, got " + page.length);
        }
        BlockRedo r = new BlockRedo(page, rec, blockId, lsn, hintBitsLogged);
        RedoBlock target = r.block(blockId);
        ResourceManager rmgr = ResourceManager.byId(rec.rmid());
        if (rmgr == null) {
            throw new RedoUnsupportedException("rmgr " + rec.rmid(), kindName(rec), lsn);
        }
        if (target.applyImage() && !target.willInit() && rmgr != ResourceManager.HASH
                && rmgr != ResourceManager.GIST) {
            // Every PostgreSQL 15 redo routine reads such a block through XLogReadBufferForRedo,
            // which restores the image and reports BLK_RESTORED: nothing else changes the page
            // (except some Hash and GiST routines, which restore through BlockRedo.read themselves).
            r.restoreImage(target);
            return;
        }
        try {
            boolean done = switch (rmgr) {
                case XLOG -> XlogRedo.redo(r);
                case HEAP -> {
                    HeapRedo.redo(r);
                    yield true;
                }
                case HEAP2 -> Heap2Redo.redo(r);
                case BTREE -> BtreeRedo.redo(r);
                case SEQUENCE -> SeqRedo.redo(r);
                case HASH -> HashRedo.redo(r);
                case GIN -> GinRedo.redo(r);
                case GIST -> GistRedo.redo(r);
                case BRIN -> BrinRedo.redo(r);
                case SPGIST -> SpgistRedo.redo(r);
                case GENERIC -> GenericRedo.redo(r);
                case TRANSACTION, STORAGE, CLOG, DATABASE, TABLESPACE, MULTI_XACT, REL_MAP, STANDBY,
                     COMMIT_TS, REPLICATION_ORIGIN, LOGICAL_MESSAGE -> false;
            };
            if (!done) {
                throw new RedoUnsupportedException(rmgr.waldumpName(), kindName(rec), lsn);
            }
        } catch (PageException e) {
            throw new RedoException(r.describePage(), lsn, rmgr.waldumpName() + "/" + kindName(rec) + ": " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) {
            throw new RedoException(r.describePage(), lsn, rmgr.waldumpName() + "/" + kindName(rec)
                    + ": record data or page offsets out of bounds (" + e.getMessage() + ")", e);
        }
        if (!r.touched()) {
            throw new RedoException(r.describePage(), lsn, rmgr.waldumpName() + "/" + kindName(rec)
                    + " does not use block reference #" + blockId);
        }
    }

    /** The record kind as pg_waldump names it ("info 0xNN" for unknown rmgrs). */
    public static String kindName(RedoRecord rec) {
        ResourceManager rmgr = ResourceManager.byId(rec.rmid());
        return rmgr == null ? String.format("info 0x%02X", rec.info()) : rmgr.identify(rec.info());
    }
}
