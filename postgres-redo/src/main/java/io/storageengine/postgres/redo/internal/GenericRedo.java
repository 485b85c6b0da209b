package io.storageengine.postgres.redo.internal;

import java.util.Arrays;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of Generic WAL (PostgreSQL 15 {@code generic_xlog.c}, used by extensions such as bloom):
 * each block's data is a list of fragments (u16 offset, u16 length, bytes) copied onto the page,
 * after which the hole between pd_lower and pd_upper is zeroed. Stateless.
 */
public final class GenericRedo {

    private GenericRedo() {
    }

    static boolean redo(BlockRedo r) {
        if (r.read(r.target()) != Action.NEEDS_REDO) {
            return true;
        }
        byte[] d = r.block(r.target()).hasData() ? r.block(r.target()).data() : new byte[0];
        byte[] p = r.bytes();
        int pos = 0;
        while (pos < d.length) {
            if (pos + 4 > d.length) {
                throw r.fail("generic WAL delta ends inside a fragment header");
            }
            int offset = Page.u16(d, pos);
            int length = Page.u16(d, pos + 2);
            pos += 4;
            if (pos + length > d.length || offset + length > Page.SIZE) {
                throw r.fail("generic WAL fragment at " + offset + " of " + length + " bytes runs past the page or data");
            }
            System.arraycopy(d, pos, p, offset, length);
            pos += length;
        }
        Page page = r.page();
        int lower = page.lower();
        int upper = page.upper();
        if (lower > upper || upper > Page.SIZE) {
            throw r.fail("generic WAL left pd_lower " + lower + " above pd_upper " + upper);
        }
        Arrays.fill(p, lower, upper, (byte) 0);
        page.setLsn(r.lsn());
        return true;
    }
}
