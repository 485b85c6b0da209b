package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.RedoException;
import io.storageengine.postgres.redo.RedoUnsupportedException;

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
        Rmgr rmgr = Rmgr.of(rec.rmid());
        if (rmgr == null) {
            throw new RedoUnsupportedException("rmgr " + rec.rmid(), kindName(rec), lsn);
        }
        if (target.applyImage() && !target.willInit()) {
            // Every PostgreSQL 15 redo routine reads such a block through XLogReadBufferForRedo,
            // which restores the image and reports BLK_RESTORED: nothing else changes the page.
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
                case SEQ -> SeqRedo.redo(r);
                case XACT, SMGR, CLOG, DBASE, TBLSPC, MULTIXACT, RELMAP, STANDBY, HASH, GIN, GIST, SPGIST, BRIN,
                     COMMIT_TS, REPLORIGIN, GENERIC, LOGICALMSG -> false;
            };
            if (!done) {
                throw new RedoUnsupportedException(rmgr.pgName(), kindName(rec), lsn);
            }
        } catch (PageException e) {
            throw new RedoException(r.describePage(), lsn, rmgr.pgName() + "/" + kindName(rec) + ": " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) {
            throw new RedoException(r.describePage(), lsn, rmgr.pgName() + "/" + kindName(rec)
                    + ": record data or page offsets out of bounds (" + e.getMessage() + ")", e);
        }
        if (!r.touched()) {
            throw new RedoException(r.describePage(), lsn, rmgr.pgName() + "/" + kindName(rec)
                    + " does not use block reference #" + blockId);
        }
    }

    /** The record kind as pg_waldump names it, for the rmgrs this engine knows; else "info 0xNN". */
    public static String kindName(RedoRecord rec) {
        Rmgr rmgr = Rmgr.of(rec.rmid());
        int info = rec.info();
        if (rmgr == null) {
            return String.format("info 0x%02X", info);
        }
        return switch (rmgr) {
            case HEAP -> HeapRedo.kindName(info);
            case HEAP2 -> Heap2Redo.kindName(info);
            case BTREE -> BtreeRedo.kindName(info);
            case XLOG -> XlogRedo.kindName(info);
            case SEQ -> (info & 0xF0) == 0 ? "LOG" : String.format("info 0x%02X", info & 0xF0);
            case SMGR -> switch (info & 0xF0) {
                case 0x10 -> "CREATE";
                case 0x20 -> "TRUNCATE";
                default -> String.format("info 0x%02X", info & 0xF0);
            };
            case XACT, CLOG, DBASE, TBLSPC, MULTIXACT, RELMAP, STANDBY, HASH, GIN, GIST, SPGIST, BRIN, COMMIT_TS,
                 REPLORIGIN, GENERIC, LOGICALMSG -> String.format("info 0x%02X", info & 0xF0);
        };
    }
}
