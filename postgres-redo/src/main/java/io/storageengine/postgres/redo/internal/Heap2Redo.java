package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the Heap2 resource manager (PostgreSQL 15 {@code heapam.c}, {@code pruneheap.c},
 * {@code visibilitymap.c}): PRUNE, VACUUM, FREEZE_PAGE, VISIBLE (both its VM page and its heap
 * page), MULTI_INSERT, LOCK_UPDATED; NEW_CID changes no page. REWRITE writes files outside the
 * buffer pool and has no block references. Stateless.
 */
public final class Heap2Redo {

    /** Record kinds, by {@code (info & 0x70) >> 4}. */
    public enum Kind { REWRITE, PRUNE, VACUUM, FREEZE_PAGE, VISIBLE, MULTI_INSERT, LOCK_UPDATED, NEW_CID }

    /** {@code values()} once: it copies the array on every call. */
    private static final Kind[] KINDS = Kind.values();

    static final int XLH_FREEZE_XVAC = 0x02;
    static final int XLH_INVALID_XVAC = 0x04;

    private Heap2Redo() {
    }

    public static Kind kind(int info) {
        return KINDS[(info & 0x70) >> 4];
    }

    /** Applies the record to the target block; returns false for kinds that are not supported. */
    public static boolean redo(BlockRedo r) {
        switch (kind(r.record().info())) {
            case REWRITE -> {
                return false;
            }
            case PRUNE -> prune(r);
            case VACUUM -> vacuum(r);
            case FREEZE_PAGE -> freeze(r);
            case VISIBLE -> visible(r);
            case MULTI_INSERT -> multiInsert(r);
            case LOCK_UPDATED -> lockUpdated(r);
            case NEW_CID -> r.markTouched();
        }
        return true;
    }

    private static int offsetAt(BlockRedo r, byte[] data, int i) {
        if (2 * i + 2 > data.length) {
            throw r.fail("offset array in block data ends after " + i + " entries");
        }
        return Page.u16(data, 2 * i);
    }

    private static void prune(BlockRedo r) {
        byte[] main = r.mainData(8);
        int nredirected = Page.u16(main, 4);
        int ndead = Page.u16(main, 6);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] data = r.block(0).hasData() ? r.block(0).data() : new byte[0];
        int total = data.length / 2;
        int nunused = total - 2 * nredirected - ndead;
        if (nunused < 0) {
            throw r.fail("prune data holds " + total + " offsets, fewer than its counts say");
        }
        Page page = r.page();
        int max = page.maxOffset();
        int i = 0;
        for (int k = 0; k < nredirected; k++) {
            int from = offsetAt(r, data, i++);
            int to = offsetAt(r, data, i++);
            checkOffset(r, from, max);
            page.setRedirect(from, to);
        }
        for (int k = 0; k < ndead; k++) {
            int off = offsetAt(r, data, i++);
            checkOffset(r, off, max);
            page.setDead(off);
        }
        for (int k = 0; k < nunused; k++) {
            int off = offsetAt(r, data, i++);
            checkOffset(r, off, max);
            page.setUnused(off);
        }
        PageItems.repairFragmentation(page);
        page.setLsn(r.lsn());
    }

    private static void checkOffset(BlockRedo r, int off, int max) {
        if (off < 1 || off > max) {
            throw r.fail("item " + off + " does not exist (the page has " + max + ")");
        }
    }

    private static void vacuum(BlockRedo r) {
        int nunused = Page.u16(r.mainData(2), 0);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] data = r.data(0);
        Page page = r.page();
        int max = page.maxOffset();
        for (int i = 0; i < nunused; i++) {
            int off = offsetAt(r, data, i);
            checkOffset(r, off, max);
            page.setUnused(off);
        }
        PageItems.truncateLinePointerArray(page);
        page.setLsn(r.lsn());
    }

    private static void freeze(BlockRedo r) {
        int ntuples = Page.u16(r.mainData(6), 4);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] data = r.data(0);
        if (data.length < 12 * ntuples) {
            throw r.fail("freeze data holds " + data.length + " bytes for " + ntuples + " tuples");
        }
        byte[] p = r.bytes();
        for (int i = 0; i < ntuples; i++) {
            int e = 12 * i;
            int off = Page.u16(data, e + 4);
            r.checkItem(off, false);
            if (!r.page().lpHasStorage(off)) {
                throw r.fail("item " + off + " to freeze has no storage");
            }
            int t = r.page().lpOff(off);
            HeapTuple.setXmax(p, t, Page.i32(data, e));
            int frz = data[e + 10] & 0xFF;
            if ((frz & XLH_FREEZE_XVAC) != 0) {
                HeapTuple.setCid(p, t, Xid.FROZEN);
            }
            if ((frz & XLH_INVALID_XVAC) != 0) {
                HeapTuple.setCid(p, t, Xid.INVALID);
            }
            HeapTuple.setInfomask(p, t, Page.u16(data, e + 8));
            HeapTuple.setInfomask2(p, t, Page.u16(data, e + 6));
        }
        r.page().setLsn(r.lsn());
    }

    /** heap_xlog_visible: block 0 is the VM page, block 1 the heap page. */
    private static void visible(BlockRedo r) {
        byte[] main = r.mainData(5);
        int flags = main[4] & 0xFF;
        Action heap = r.read(1);
        if (heap == Action.NEEDS_REDO) {
            r.page().setFlag(Page.PD_ALL_VISIBLE);
            if (r.hintBitsLogged()) {
                r.page().setLsn(r.lsn());
            }
        }
        if (r.read(0, true) == Action.NEEDS_REDO) {
            Page vm = r.page();
            if (vm.isNew()) {
                vm.init(0);
            }
            int heapBlk = r.block(1).blockNumber();
            if (Integer.toUnsignedLong(r.block(0).blockNumber()) != VisibilityMapPage.mapBlock(heapBlk)) {
                throw r.fail("VM block " + Integer.toUnsignedString(r.block(0).blockNumber())
                        + " does not hold heap block " + Integer.toUnsignedString(heapBlk));
            }
            if (Long.compareUnsigned(r.lsn(), vm.lsn()) > 0) {
                VisibilityMapPage.set(r.bytes(), heapBlk, flags, r.lsn());
            }
        }
    }

    private static void multiInsert(BlockRedo r) {
        byte[] main = r.mainData(4);
        int flags = main[0] & 0xFF;
        int ntuples = Page.u16(main, 2);
        boolean isInit = (r.record().info() & HeapRedo.INIT_PAGE) != 0;
        if (!isInit && main.length < 4 + 2 * ntuples) {
            throw r.fail("multi-insert main data lacks its " + ntuples + " offsets");
        }
        Action action;
        if (isInit) {
            if (!r.init(0)) {
                return;
            }
            r.page().init(0);
            action = Action.NEEDS_REDO;
        } else {
            action = r.read(0);
        }
        if (action != Action.NEEDS_REDO) {
            return;
        }
        byte[] data = r.data(0);
        Page page = r.page();
        int blkno = r.block(0).blockNumber();
        int pos = 0;
        for (int i = 0; i < ntuples; i++) {
            int offnum = isInit ? 1 + i : Page.u16(main, 4 + 2 * i);
            if (page.maxOffset() + 1 < offnum) {
                throw r.fail("invalid max offset number: insert at " + offnum + ", page has " + page.maxOffset());
            }
            pos = (pos + 1) & ~1; // SHORTALIGN (block data starts MAXALIGNed)
            if (pos + 7 > data.length) {
                throw r.fail("multi-insert data ends inside tuple " + i);
            }
            int datalen = Page.u16(data, pos);
            if (pos + 7 + datalen > data.length) {
                throw r.fail("multi-insert tuple " + i + " runs past the block data");
            }
            byte[] tup = HeapRedo.newTuple(data, pos + 2, data, pos + 7, datalen, r.record().xid(), blkno, offnum);
            pos += 7 + datalen;
            if (page.addItem(tup, 0, tup.length, offnum, true, true) == 0) {
                throw r.fail("failed to add tuple at offset " + offnum);
            }
        }
        if (pos != data.length) {
            throw r.fail("total tuple length mismatch: " + pos + " of " + data.length + " bytes used");
        }
        page.setLsn(r.lsn());
        if ((flags & HeapRedo.INSERT_ALL_VISIBLE_CLEARED) != 0) {
            page.clearFlag(Page.PD_ALL_VISIBLE);
        }
        if ((flags & HeapRedo.INSERT_ALL_FROZEN_SET) != 0) {
            page.setFlag(Page.PD_ALL_VISIBLE);
        }
    }

    private static void lockUpdated(BlockRedo r) {
        byte[] main = r.mainData(8);
        int xmax = Page.i32(main, 0);
        int offnum = Page.u16(main, 4);
        int infobits = main[6] & 0xFF;
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] p = r.bytes();
        r.checkItem(offnum, true);
        int t = r.page().lpOff(offnum);
        HeapRedo.clearXmaxBits(p, t);
        HeapRedo.fixInfomaskFromInfobits(p, t, infobits);
        HeapTuple.setXmax(p, t, xmax);
        r.page().setLsn(r.lsn());
    }
}
