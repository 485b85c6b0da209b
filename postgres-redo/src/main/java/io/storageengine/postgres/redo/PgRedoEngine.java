package io.storageengine.postgres.redo;

import java.nio.ByteBuffer;

import io.storageengine.postgres.redo.internal.Redo;
import io.storageengine.postgres.redo.internal.RedoBlock;
import io.storageengine.postgres.redo.internal.RedoRecord;
import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;

/**
 * PostgreSQL 15 redo in the JVM: applies one WAL record to one block, byte for byte as
 * PostgreSQL's redo routine does for that block, including the page LSN it stamps and where it
 * does not. The page is given as it was just before the record (all-zero when the record
 * initializes it) and is modified in place.
 *
 * <p>Order, as {@code XLogReadBufferForRedo}: a full-page image that redo applies
 * ({@code BKPIMAGE_APPLY}) is restored first and stamped with the record's end LSN unless it is a
 * new (all-zero) page; otherwise the resource manager's routine runs for that block. Records
 * whose end LSN is not after the page LSN leave the page unchanged (BLK_DONE).
 *
 * <p>Errors: {@link RedoUnsupportedException} for kinds not implemented (never a wrong page);
 * {@link RedoException} naming the page and LSN for a record that cannot apply to the page.
 *
 * <p>Visibility-map bits that heap records clear implicitly are not a block reference of those
 * records: see {@link VisibilityMapRedo}.
 *
 * <p>Immutable and thread-safe; pages are not shared between calls.
 */
public final class PgRedoEngine {

    private final Redo redo;

    /** For WAL of a server without data checksums and with {@code wal_log_hints = off} (initdb's default). */
    public PgRedoEngine() {
        this(false);
    }

    /**
     * @param hintBitsLogged {@code XLogHintBitIsNeeded()} on the server that wrote the WAL: data
     *                       checksums or {@code wal_log_hints} on. Only Heap2/VISIBLE depends on
     *                       it (the heap page's LSN is stamped only then).
     */
    public PgRedoEngine(boolean hintBitsLogged) {
        this.redo = new Redo(hintBitsLogged);
    }

    /**
     * Applies block reference {@code blockId} of {@code rec} to {@code page} (8192 bytes, modified
     * in place). {@code endLsn} is the record's end LSN (PostgreSQL's EndRecPtr).
     */
    public void apply(byte[] page, DecodedRecord rec, int blockId, long endLsn) {
        redo.apply(page, adapt(rec), blockId, endLsn);
    }

    /** As above, for a record already adapted once for all its blocks. */
    void apply(byte[] page, RedoRecord adapted, int blockId, long endLsn) {
        redo.apply(page, adapted, blockId, endLsn);
    }

    /**
     * The adapter form for the page-versions core: the record's bytes as in the WAL (or a
     * REDUCED copy: other blocks' images stripped, xl_crc not checked), the block id, and the
     * frame's WILL_INIT flag (checked against the record: it must be set exactly when the block
     * is WILL_INIT or carries an image redo applies).
     */
    public void apply(byte[] page, ByteBuffer xlogRecordBytes, int blockId, boolean willInit, long endLsn) {
        DecodedRecord rec;
        try {
            rec = DecodedRecord.decode(xlogRecordBytes, endLsn, false);
        } catch (WalFormatException e) {
            throw new RedoException("block reference #" + blockId, endLsn, "malformed record: " + e.getMessage(), e);
        }
        BlockRef b = rec.block(blockId);
        if (b == null) {
            throw new RedoException("block reference #" + blockId, endLsn, "the record " + rec.rmgr() + "/"
                    + rec.recordName() + " has no block reference #" + blockId);
        }
        if (b.startsPage() != willInit) {
            throw new RedoException(b.pageRef().toString(), endLsn, "the frame's WILL_INIT flag is " + willInit
                    + " but the record's block " + (b.startsPage() ? "starts" : "does not start") + " the page");
        }
        redo.apply(page, adapt(rec), blockId, endLsn);
    }

    /** The decoded record as the redo routines see it (block data copied once, images decoded lazily). */
    static RedoRecord adapt(DecodedRecord d) {
        return adapt(d, false);
    }

    /** The block's image decompressed now; a failure is raised when redo asks for it, as lazily. */
    private static java.util.function.Supplier<byte[]> restoredNow(BlockRef b) {
        try {
            byte[] restored = b.image().restorePage();
            return () -> restored;
        } catch (WalFormatException e) {
            return () -> {
                throw e;
            };
        }
    }

    /**
     * As {@link #adapt(DecodedRecord)}; with {@code eagerImages} the images redo applies are
     * decompressed now (on a reading thread, ahead of redo) rather than when redo asks for them.
     */
    static RedoRecord adapt(DecodedRecord d, boolean eagerImages) {
        RedoBlock[] byId = new RedoBlock[d.maxBlockId() + 1];
        for (BlockRef b : d.blocks()) {
            boolean img = b.hasImage();
            boolean apply = img && b.image().apply();
            java.util.function.Supplier<byte[]> image = null;
            if (apply && eagerImages) {
                image = restoredNow(b);
            } else if (img) {
                image = b.image()::restorePage;
            }
            byId[b.id()] = new RedoBlock(b.id(), b.spcOid(), b.dbOid(), b.relNumber(), b.fork(), (int) b.blockNumber(),
                    b.willInit(), img, apply, b.dataBytes(), image);
        }
        return new RedoRecord(d.rmid(), d.info(), d.xid(), d.mainDataBytes(), byId);
    }
}
