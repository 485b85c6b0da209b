package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of Btree DEDUP (PostgreSQL 15 {@code btree_xlog_dedup} with {@code nbtdedup.c}'s pending
 * posting list state): the page is rebuilt on a fresh copy of its special space, merging the
 * runs of items that the record's intervals (base offset, item count) name into posting list
 * tuples. Not thread-safe: one instance per redo.
 */
final class BtreeDedup {

    private final Page newPage;
    private byte[] src;
    private int base;
    private int baseOff;
    private int baseTupSize;
    private byte[] htids = new byte[64 * IndexTuple.TID_SIZE];
    private int nhtids;
    private int nitems;
    private int nintervals;

    private BtreeDedup(Page newPage) {
        this.newPage = newPage;
    }

    static void redo(BlockRedo r) {
        int nIntervals = Page.u16(r.mainData(2), 0);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] intervals = r.data(0);
        if (intervals.length < 4 * nIntervals) {
            throw r.fail("dedup data holds " + intervals.length + " bytes for " + nIntervals + " intervals");
        }
        byte[] p = r.bytes();
        Page page = r.page();
        int minOff = BtreePage.firstDataKey(p);
        int maxOff = page.maxOffset();
        byte[] np = new byte[Page.SIZE];
        Page newPage = new Page(np);
        int special = page.special();
        newPage.init(Page.SIZE - special);
        System.arraycopy(p, special, np, newPage.special(), Page.SIZE - special);
        if (!BtreePage.isRightmost(p)) {
            r.checkItem(BtreePage.P_HIKEY, false);
            if (newPage.addItem(p, page.lpOff(1), page.lpLen(1), BtreePage.P_HIKEY, false, false) == 0) {
                throw r.fail("deduplication failed to add highkey");
            }
        }
        BtreeDedup state = new BtreeDedup(newPage);
        for (int off = minOff; off <= maxOff; off++) {
            r.checkItem(off, false);
            int itup = page.lpOff(off);
            if (off == minOff) {
                state.startPending(p, itup, off);
            } else if (state.nintervals < nIntervals
                    && state.baseOff == Page.u16(intervals, 4 * state.nintervals)
                    && state.nitems < Page.u16(intervals, 4 * state.nintervals + 2)) {
                if (!state.saveHtid(p, itup)) {
                    throw r.fail("deduplication failed to add heap tid to pending posting list");
                }
            } else {
                state.finishPending(r);
                state.startPending(p, itup, off);
            }
        }
        state.finishPending(r);
        if ((BtreePage.flags(p) & BtreePage.BTP_HAS_GARBAGE) != 0) {
            BtreePage.setFlags(np, BtreePage.flags(np) & ~BtreePage.BTP_HAS_GARBAGE);
        }
        System.arraycopy(np, 0, p, 0, Page.SIZE);
        page.setLsn(r.lsn());
    }

    private void appendTids(byte[] a, int off, int n) {
        int need = (nhtids + n) * IndexTuple.TID_SIZE;
        if (need > htids.length) {
            htids = java.util.Arrays.copyOf(htids, Math.max(need, htids.length * 2));
        }
        System.arraycopy(a, off, htids, nhtids * IndexTuple.TID_SIZE, n * IndexTuple.TID_SIZE);
        nhtids += n;
    }

    private void startPending(byte[] p, int t, int off) {
        nhtids = 0;
        if (!IndexTuple.isPosting(p, t)) {
            appendTids(p, t, 1);
            baseTupSize = IndexTuple.size(p, t);
        } else {
            appendTids(p, t + IndexTuple.postingOffset(p, t), IndexTuple.nPosting(p, t));
            baseTupSize = IndexTuple.postingOffset(p, t);
        }
        nitems = 1;
        src = p;
        base = t;
        baseOff = off;
    }

    private boolean saveHtid(byte[] p, int t) {
        boolean posting = IndexTuple.isPosting(p, t);
        int n = posting ? IndexTuple.nPosting(p, t) : 1;
        int merged = Page.maxAlign(baseTupSize + (nhtids + n) * IndexTuple.TID_SIZE);
        if (merged > BtreeRedo.maxItemSize()) {
            return false;
        }
        nitems++;
        appendTids(p, posting ? t + IndexTuple.postingOffset(p, t) : t, n);
        return true;
    }

    private void finishPending(BlockRedo r) {
        int tupOff = newPage.maxOffset() + 1;
        if (nitems == 1) {
            if (newPage.addItem(src, base, IndexTuple.size(src, base), tupOff, false, false) == 0) {
                throw r.fail("deduplication failed to add tuple to page");
            }
        } else {
            int keySize = IndexTuple.isPosting(src, base) ? IndexTuple.postingOffset(src, base) : IndexTuple.size(src, base);
            byte[] fin = IndexTuple.formPosting(src, base, keySize, htids, 0, nhtids);
            if (newPage.addItem(fin, 0, IndexTuple.size(fin, 0), tupOff, false, false) == 0) {
                throw r.fail("deduplication failed to add tuple to page");
            }
            nintervals++;
        }
        nhtids = 0;
        nitems = 0;
    }
}
