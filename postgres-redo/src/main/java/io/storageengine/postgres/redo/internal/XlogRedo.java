package io.storageengine.postgres.redo.internal;

/**
 * Redo of the XLOG resource manager's page records (PostgreSQL 15 {@code xlog_redo}): FPI and
 * FPI_FOR_HINT restore their images (done before dispatch, since their images always apply);
 * an FPI_FOR_HINT block without an image changes nothing. The other XLOG kinds touch no page.
 * Stateless.
 */
public final class XlogRedo {

    static final int FPI_FOR_HINT = 0xA0;
    static final int FPI = 0xB0;

    private static final String[] NAMES = {
        "CHECKPOINT_SHUTDOWN", "CHECKPOINT_ONLINE", "NOOP", "NEXTOID", "SWITCH", "BACKUP_END", "PARAMETER_CHANGE",
        "RESTORE_POINT", "FPW_CHANGE", "END_OF_RECOVERY", "FPI_FOR_HINT", "FPI", "OVERWRITE_CONTRECORD"};

    private XlogRedo() {
    }

    public static String kindName(int info) {
        int i = (info & 0xF0) >> 4;
        return i < NAMES.length ? NAMES[i] : String.format("info 0x%02X", info & 0xF0);
    }

    static boolean redo(BlockRedo r) {
        int info = r.record().rmInfo();
        RedoBlock b = r.block(r.target());
        if (info == FPI || info == FPI_FOR_HINT) {
            if (!b.hasImage()) {
                if (info == FPI) {
                    throw r.fail("XLOG_FPI record did not contain a full-page image");
                }
                r.markTouched(); // FPI_FOR_HINT without an image (full_page_writes off): nothing to do
                return true;
            }
            if (!b.applyImage()) {
                throw r.fail("unexpected XLogReadBufferForRedo result when restoring backup block");
            }
            r.restoreImage(b);
            r.markTouched();
            return true;
        }
        throw r.fail("XLOG/" + kindName(info) + " has no page to change");
    }
}
