package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.wal.ResourceManager;

/**
 * Redo of the XLOG resource manager's page records (PostgreSQL 15 {@code xlog_redo}): FPI and
 * FPI_FOR_HINT restore their images (done before dispatch, since their images always apply);
 * an FPI_FOR_HINT block without an image changes nothing. The other XLOG kinds touch no page.
 * Stateless.
 */
public final class XlogRedo {

    static final int FPI_FOR_HINT = 0xA0;
    static final int FPI = 0xB0;

    private XlogRedo() {
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
        throw r.fail("XLOG/" + ResourceManager.XLOG.identify(r.record().info()) + " has no page to change");
    }
}
