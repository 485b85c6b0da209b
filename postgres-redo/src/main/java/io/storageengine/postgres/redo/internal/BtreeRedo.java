package io.storageengine.postgres.redo.internal;

import static io.storageengine.postgres.redo.internal.BtreePage.P_HIKEY;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the Btree resource manager (PostgreSQL 15 {@code nbtxlog.c}): inserts (leaf, upper,
 * meta, posting split), splits, deduplication, VACUUM and simple deletion (with posting list
 * updates), half-dead marking, unlink, new root, metapage cleanup; REUSE_PAGE changes no page.
 * Stateless.
 */
public final class BtreeRedo {

    /** Record kinds, by {@code info >> 4}. */
    public enum Kind {
        INSERT_LEAF, INSERT_UPPER, INSERT_META, SPLIT_L, SPLIT_R, INSERT_POST, DEDUP, DELETE, UNLINK_PAGE,
        UNLINK_PAGE_META, NEWROOT, MARK_PAGE_HALFDEAD, VACUUM, REUSE_PAGE, META_CLEANUP, UNKNOWN
    }

    /** {@code values()} once: it copies the array on every call. */
    private static final Kind[] KINDS = Kind.values();

    private static final int BTREE_MAGIC = 0x053162;
    private static final int BT_MAX_ITEM_SIZE = 2704;

    private BtreeRedo() {
    }

    public static Kind kind(int info) {
        return KINDS[(info & 0xF0) >> 4];
    }

    static boolean redo(BlockRedo r) {
        int info = r.record().info();
        switch (kind(info)) {
            case INSERT_LEAF -> insert(r, true, false, false);
            case INSERT_UPPER -> insert(r, false, false, false);
            case INSERT_META -> insert(r, false, true, false);
            case SPLIT_L -> split(r, true);
            case SPLIT_R -> split(r, false);
            case INSERT_POST -> insert(r, true, false, true);
            case DEDUP -> BtreeDedup.redo(r);
            case VACUUM -> delete(r, false);
            case DELETE -> delete(r, true);
            case MARK_PAGE_HALFDEAD -> halfDead(r);
            case UNLINK_PAGE -> unlink(r, false);
            case UNLINK_PAGE_META -> unlink(r, true);
            case NEWROOT -> newRoot(r);
            case REUSE_PAGE -> r.markTouched();
            case META_CLEANUP -> restoreMeta(r, 0);
            case UNKNOWN -> {
                return false;
            }
        }
        return true;
    }

    /** _bt_restore_page: re-adds items (MAXALIGNed sizes) stored highest item number first. */
    static void restorePage(BlockRedo r, Page page, byte[] from) {
        int n = 0;
        int[] starts = new int[Page.MAX_INDEX_TUPLES_PER_PAGE + 1];
        int[] sizes = new int[Page.MAX_INDEX_TUPLES_PER_PAGE + 1];
        int pos = 0;
        while (pos < from.length) {
            if (n > Page.MAX_INDEX_TUPLES_PER_PAGE || pos + 8 > from.length) {
                throw r.fail("_bt_restore_page: malformed item list");
            }
            int sz = Page.maxAlign(IndexTuple.size(from, pos));
            if (sz == 0 || pos + sz > from.length) {
                throw r.fail("_bt_restore_page: item at " + pos + " runs past the data");
            }
            starts[n] = pos;
            sizes[n] = sz;
            n++;
            pos += sz;
        }
        for (int i = n - 1; i >= 0; i--) {
            if (page.addItem(from, starts[i], sizes[i], n - i, false, false) == 0) {
                throw r.fail("_bt_restore_page: cannot add item to page");
            }
        }
    }

    static void restoreMeta(BlockRedo r, int blockId) {
        if (!r.init(blockId)) {
            return;
        }
        byte[] md = r.data(blockId);
        if (md.length < 25) {
            throw r.fail("btree metadata is " + md.length + " bytes");
        }
        byte[] p = r.bytes();
        BtreePage.pageInit(p);
        int m = Page.HEADER_SIZE;
        Page.setI32(p, m, BTREE_MAGIC);
        for (int i = 0; i < 6; i++) {
            Page.setI32(p, m + 4 + 4 * i, Page.i32(md, 4 * i)); // version, root, level, fastroot, fastlevel, delpages
        }
        long minusOne = Double.doubleToRawLongBits(-1.0);
        Page.setI32(p, m + 32, (int) minusOne);
        Page.setI32(p, m + 36, (int) (minusOne >>> 32));
        p[m + 40] = md[24];
        BtreePage.setFlags(p, BtreePage.BTP_META);
        r.page().setLower(m + 48);
        r.page().setLsn(r.lsn());
    }

    static void clearIncompleteSplit(BlockRedo r, int blockId) {
        if (r.read(blockId) == Action.NEEDS_REDO) {
            BtreePage.setFlags(r.bytes(), BtreePage.flags(r.bytes()) & ~BtreePage.BTP_INCOMPLETE_SPLIT);
            r.page().setLsn(r.lsn());
        }
    }

    private static void insert(BlockRedo r, boolean leaf, boolean meta, boolean posting) {
        int offnum = Page.u16(r.mainData(2), 0);
        if (!leaf) {
            clearIncompleteSplit(r, 1);
        }
        if (r.read(0) == Action.NEEDS_REDO) {
            byte[] data = r.data(0);
            Page page = r.page();
            if (!posting) {
                if (page.addItem(data, 0, data.length, offnum, false, false) == 0) {
                    throw r.fail("failed to add new item at " + offnum);
                }
            } else {
                int postingOff = Page.u16(data, 0);
                byte[] newItem = IndexTuple.copy(data, 2, data.length - 2);
                r.checkItem(offnum - 1, false);
                int oposting = page.lpOff(offnum - 1);
                byte[] np = IndexTuple.swapPosting(newItem, r.bytes(), oposting, postingOff);
                System.arraycopy(np, 0, r.bytes(), oposting, np.length);
                if (page.addItem(newItem, 0, newItem.length, offnum, false, false) == 0) {
                    throw r.fail("failed to add posting split new item at " + offnum);
                }
            }
            page.setLsn(r.lsn());
        }
        if (meta) {
            restoreMeta(r, 2);
        }
    }

    private static void split(BlockRedo r, boolean newItemOnLeft) {
        byte[] main = r.mainData(10);
        int level = Page.i32(main, 0);
        int firstRightOff = Page.u16(main, 4);
        int newItemOff = Page.u16(main, 6);
        int postingOff = Page.u16(main, 8);
        boolean leaf = level == 0;
        int origBlk = r.block(0).blockNumber();
        int rightBlk = r.block(1).blockNumber();
        RedoBlock sib = r.record().block(2);
        int sBlk = sib == null ? BtreePage.P_NONE : sib.blockNumber();
        if (!leaf) {
            clearIncompleteSplit(r, 3);
        }
        if (r.init(1)) {
            byte[] p = r.bytes();
            BtreePage.pageInit(p);
            BtreePage.setPrev(p, origBlk);
            BtreePage.setNext(p, sBlk);
            BtreePage.setLevel(p, level);
            BtreePage.setFlags(p, leaf ? BtreePage.BTP_LEAF : 0);
            BtreePage.setCycleId(p, 0);
            restorePage(r, r.page(), r.data(1));
            r.page().setLsn(r.lsn());
        }
        if (r.read(0) == Action.NEEDS_REDO) {
            splitLeft(r, newItemOnLeft, leaf, rightBlk, firstRightOff, newItemOff, postingOff);
        }
        if (sBlk != BtreePage.P_NONE && r.read(2) == Action.NEEDS_REDO) {
            BtreePage.setPrev(r.bytes(), rightBlk);
            r.page().setLsn(r.lsn());
        }
    }

    private static void splitLeft(BlockRedo r, boolean newItemOnLeft, boolean leaf, int rightBlk, int firstRightOff,
                                  int newItemOff, int postingOff) {
        byte[] orig = r.bytes();
        Page origPage = r.page();
        byte[] data = r.data(0);
        int pos = 0;
        byte[] newItem = null;
        int newItemSz = 0;
        byte[] nposting = null;
        int replaceOff = 0;
        if (newItemOnLeft || postingOff != 0) {
            newItemSz = Page.maxAlign(IndexTuple.size(data, 0));
            newItem = IndexTuple.copy(data, 0, newItemSz);
            pos += newItemSz;
            if (postingOff != 0) {
                replaceOff = newItemOff - 1;
                r.checkItem(replaceOff, false);
                nposting = IndexTuple.swapPosting(newItem, orig, origPage.lpOff(replaceOff), postingOff);
            }
        }
        int hikeySz = Page.maxAlign(IndexTuple.size(data, pos));
        if (pos + hikeySz > data.length) {
            throw r.fail("split data ends inside the left high key");
        }
        byte[] left = new byte[Page.SIZE];
        Page leftPage = new Page(left);
        int special = origPage.special();
        leftPage.init(Page.SIZE - special);
        System.arraycopy(orig, special, left, leftPage.special(), Page.SIZE - special);
        if (leftPage.addItem(data, pos, hikeySz, P_HIKEY, false, false) == 0) {
            throw r.fail("failed to add high key to left page after split");
        }
        int leftOff = P_HIKEY + 1;
        int off;
        for (off = BtreePage.firstDataKey(orig); off < firstRightOff; off++) {
            if (off == replaceOff) {
                if (leftPage.addItem(nposting, 0, Page.maxAlign(nposting.length), leftOff, false, false) == 0) {
                    throw r.fail("failed to add new posting list item to left page after split");
                }
                leftOff++;
                continue;
            } else if (newItemOnLeft && off == newItemOff) {
                if (leftPage.addItem(newItem, 0, newItemSz, leftOff, false, false) == 0) {
                    throw r.fail("failed to add new item to left page after split");
                }
                leftOff++;
            }
            r.checkItem(off, false);
            if (leftPage.addItem(orig, origPage.lpOff(off), origPage.lpLen(off), leftOff, false, false) == 0) {
                throw r.fail("failed to add old item " + off + " to left page after split");
            }
            leftOff++;
        }
        if (newItemOnLeft && off == newItemOff) {
            if (leftPage.addItem(newItem, 0, newItemSz, leftOff, false, false) == 0) {
                throw r.fail("failed to add new item to left page after split");
            }
        }
        System.arraycopy(left, 0, orig, 0, Page.SIZE);
        BtreePage.setFlags(orig, BtreePage.BTP_INCOMPLETE_SPLIT | (leaf ? BtreePage.BTP_LEAF : 0));
        BtreePage.setNext(orig, rightBlk);
        BtreePage.setCycleId(orig, 0);
        origPage.setLsn(r.lsn());
    }

    /** VACUUM (cleanup lock) and DELETE: posting list updates, then deletions, then BTP_HAS_GARBAGE off. */
    private static void delete(BlockRedo r, boolean simpleDelete) {
        byte[] main = r.mainData(simpleDelete ? 8 : 4);
        int base = simpleDelete ? 4 : 0;
        int ndeleted = Page.u16(main, base);
        int nupdated = Page.u16(main, base + 2);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] data = r.block(0).hasData() ? r.block(0).data() : new byte[0];
        Page page = r.page();
        if (data.length < 2 * (ndeleted + nupdated)) {
            throw r.fail("block data holds " + data.length + " bytes for " + ndeleted + " deleted and " + nupdated
                    + " updated offsets");
        }
        if (nupdated > 0) {
            int u = 2 * (ndeleted + nupdated);
            for (int i = 0; i < nupdated; i++) {
                int off = Page.u16(data, 2 * (ndeleted + i));
                int nd = Page.u16(data, u);
                int[] del = new int[nd];
                for (int k = 0; k < nd; k++) {
                    del[k] = Page.u16(data, u + 2 + 2 * k);
                }
                u += 2 + 2 * nd;
                r.checkItem(off, false);
                byte[] nt = IndexTuple.updatePosting(r.bytes(), page.lpOff(off), del);
                if (!PageItems.indexTupleOverwrite(page, off, nt, 0, Page.maxAlign(nt.length))) {
                    throw r.fail("failed to update partially dead item " + off);
                }
            }
        }
        if (ndeleted > 0) {
            int[] offs = new int[ndeleted];
            for (int i = 0; i < ndeleted; i++) {
                offs[i] = Page.u16(data, 2 * i);
            }
            PageItems.indexMultiDelete(page, offs, ndeleted);
        }
        BtreePage.setFlags(r.bytes(), BtreePage.flags(r.bytes()) & ~BtreePage.BTP_HAS_GARBAGE);
        page.setLsn(r.lsn());
    }

    /** The dummy high key of a half-dead page: 8 bytes, pivot with 0 attributes, top parent in t_tid's block. */
    private static byte[] topParentHikey(int topParent) {
        byte[] t = new byte[8];
        IndexTuple.setInfo(t, 0, 8 | IndexTuple.ALT_TID_MASK);
        IndexTuple.setTidBlock(t, 0, topParent);
        IndexTuple.setTidOffset(t, 0, 0);
        return t;
    }

    private static void halfDead(BlockRedo r) {
        byte[] main = r.mainData(20);
        int poffset = Page.u16(main, 0);
        if (r.read(1) == Action.NEEDS_REDO) {
            Page page = r.page();
            byte[] p = r.bytes();
            r.checkItem(poffset + 1, false);
            r.checkItem(poffset, false);
            int rightSib = IndexTuple.tidBlock(p, page.lpOff(poffset + 1));
            IndexTuple.setTidBlock(p, page.lpOff(poffset), rightSib);
            PageItems.indexTupleDelete(page, poffset + 1);
            page.setLsn(r.lsn());
        }
        if (r.init(0)) {
            initHalfDeadLeaf(r, Page.i32(main, 8), Page.i32(main, 12), Page.i32(main, 16));
        }
    }

    private static void initHalfDeadLeaf(BlockRedo r, int left, int right, int topParent) {
        byte[] p = r.bytes();
        BtreePage.pageInit(p);
        BtreePage.setPrev(p, left);
        BtreePage.setNext(p, right);
        BtreePage.setLevel(p, 0);
        BtreePage.setFlags(p, BtreePage.BTP_HALF_DEAD | BtreePage.BTP_LEAF);
        BtreePage.setCycleId(p, 0);
        byte[] hikey = topParentHikey(topParent);
        if (r.page().addItem(hikey, 0, hikey.length, P_HIKEY, false, false) == 0) {
            throw r.fail("could not add dummy high key to half-dead page");
        }
        r.page().setLsn(r.lsn());
    }

    private static void unlink(BlockRedo r, boolean meta) {
        byte[] main = r.mainData(36);
        int leftSib = Page.i32(main, 0);
        int rightSib = Page.i32(main, 4);
        int level = Page.i32(main, 8);
        if (leftSib != BtreePage.P_NONE && r.read(1) == Action.NEEDS_REDO) {
            BtreePage.setNext(r.bytes(), rightSib);
            r.page().setLsn(r.lsn());
        }
        if (r.init(0)) {
            byte[] p = r.bytes();
            BtreePage.pageInit(p);
            BtreePage.setPrev(p, leftSib);
            BtreePage.setNext(p, rightSib);
            BtreePage.setLevel(p, level);
            int flags = BtreePage.BTP_DELETED | BtreePage.BTP_HAS_FULLXID | (level == 0 ? BtreePage.BTP_LEAF : 0);
            BtreePage.setFlags(p, flags);
            r.page().setLower(Page.HEADER_SIZE + 8);
            r.page().setUpper(r.page().special());
            System.arraycopy(main, 16, p, Page.HEADER_SIZE, 8);
            BtreePage.setCycleId(p, 0);
            r.page().setLsn(r.lsn());
        }
        if (r.read(2) == Action.NEEDS_REDO) {
            BtreePage.setPrev(r.bytes(), leftSib);
            r.page().setLsn(r.lsn());
        }
        if (r.record().block(3) != null && r.init(3)) {
            initHalfDeadLeaf(r, Page.i32(main, 24), Page.i32(main, 28), Page.i32(main, 32));
        }
        if (meta) {
            restoreMeta(r, 4);
        }
    }

    private static void newRoot(BlockRedo r) {
        int level = Page.i32(r.mainData(8), 4);
        if (r.init(0)) {
            byte[] p = r.bytes();
            BtreePage.pageInit(p);
            BtreePage.setFlags(p, BtreePage.BTP_ROOT | (level == 0 ? BtreePage.BTP_LEAF : 0));
            BtreePage.setLevel(p, level);
            BtreePage.setCycleId(p, 0);
            if (level > 0) {
                restorePage(r, r.page(), r.data(0));
            }
            r.page().setLsn(r.lsn());
        }
        if (level > 0) {
            clearIncompleteSplit(r, 1);
        }
        restoreMeta(r, 2);
    }

    static int maxItemSize() {
        return BT_MAX_ITEM_SIZE;
    }
}
