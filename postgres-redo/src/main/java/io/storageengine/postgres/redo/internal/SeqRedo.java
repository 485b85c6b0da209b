package io.storageengine.postgres.redo.internal;

/**
 * Redo of the Sequence resource manager (PostgreSQL 15 {@code seq_redo}): XLOG_SEQ_LOG
 * rebuilds the sequence's only page from scratch: PageInit with the 4-byte sequence_magic
 * special space (0x1717), then the tuple from the main data after the 12-byte xl_seq_rec.
 * Stateless.
 */
public final class SeqRedo {

    private static final int SEQ_MAGIC = 0x1717;
    private static final int XL_SEQ_REC_SIZE = 12;

    private SeqRedo() {
    }

    static boolean redo(BlockRedo r) {
        if (r.record().rmInfo() != 0) {
            return false;
        }
        byte[] main = r.mainData(XL_SEQ_REC_SIZE + 1);
        if (!r.init(0)) {
            throw r.fail("Sequence/LOG has only block reference #0");
        }
        Page page = r.page();
        page.init(4);
        Page.setI32(r.bytes(), page.special(), SEQ_MAGIC);
        if (page.addItem(main, XL_SEQ_REC_SIZE, main.length - XL_SEQ_REC_SIZE, 1, false, false) == 0) {
            throw r.fail("seq_redo: failed to add item to page");
        }
        page.setLsn(r.lsn());
        return true;
    }
}
