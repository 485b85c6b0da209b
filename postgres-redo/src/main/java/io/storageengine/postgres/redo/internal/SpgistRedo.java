package io.storageengine.postgres.redo.internal;

import java.util.Arrays;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the SP-GiST resource manager (PostgreSQL 15 {@code spgxlog.c}, with
 * {@code spgPageIndexMultiDelete}, {@code spgFormDeadTuple}, {@code spgUpdateNodeLink}). Page
 * layout: opaque area (flags, nRedirection, nPlaceholder, page id 0xFF82; u16 each) in the 8-byte
 * special space. Tuples start with a u32 whose low 2 bits are the tuple state; leaf and dead
 * tuples keep their size in the upper 30 bits, inner tuples their node count in bits 3..15, their
 * prefix size in the upper 16 and their size in the u16 at 4. Stateless.
 */
public final class SpgistRedo {

    static final int LEAF = 1 << 2;
    static final int NULLS = 1 << 3;
    private static final int PAGE_ID = 0xFF82;
    private static final int REDIRECT = 1;
    private static final int DEAD = 2;
    private static final int PLACEHOLDER = 3;
    private static final int DEAD_SIZE = 16;
    private static final int INVALID = 0xFFFFFFFF;

    private SpgistRedo() {
    }

    static boolean redo(BlockRedo r) {
        switch (r.record().rmInfo()) {
            case 0x10 -> addLeaf(r);
            case 0x20 -> moveLeafs(r);
            case 0x30 -> SpgistSplitRedo.addNode(r);
            case 0x40 -> SpgistSplitRedo.splitTuple(r);
            case 0x50 -> SpgistSplitRedo.pickSplit(r);
            case 0x60 -> vacuumLeaf(r);
            case 0x70 -> vacuumRoot(r);
            case 0x80 -> vacuumRedirect(r);
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- layout helpers (package-private for SpgistSplitRedo)

    static int opaque(byte[] p) {
        return new Page(p).special();
    }

    static void addCount(byte[] p, int field, int delta) {
        int at = opaque(p) + field;
        Page.setU16(p, at, Page.u16(p, at) + delta);
    }

    static final int N_REDIRECTION = 2;
    static final int N_PLACEHOLDER = 4;

    /** SpGistInitBuffer. */
    static void initPage(byte[] p, int flags) {
        new Page(p).init(8);
        int o = opaque(p);
        Page.setU16(p, o, flags);
        Page.setU16(p, o + 6, PAGE_ID);
    }

    /** Leaf and dead tuples: size in the upper 30 bits of the first u32. */
    static int leafSize(byte[] a, int off) {
        return Page.i32(a, off) >>> 2;
    }

    /** Inner tuples: size in the u16 at 4. */
    static int innerSize(byte[] a, int off) {
        return Page.u16(a, off + 4);
    }

    /** spgFormDeadTuple (16 bytes). */
    static byte[] deadTuple(int state, int blkno, int offnum, int myXid) {
        byte[] t = new byte[DEAD_SIZE];
        Page.setI32(t, 0, state | (DEAD_SIZE << 2));
        if (state == REDIRECT) {
            IndexTuple.setTidBlock(t, 6, blkno);
            IndexTuple.setTidOffset(t, 6, offnum);
            Page.setI32(t, 12, myXid);
        } else {
            IndexTuple.setTidBlock(t, 6, INVALID);
            IndexTuple.setTidOffset(t, 6, 0);
        }
        return t;
    }

    /** addOrReplaceTuple: a placeholder at {@code offset} is replaced, else the tuple goes there. */
    static void addOrReplace(BlockRedo r, byte[] src, int from, int size, int offset) {
        Page page = r.page();
        byte[] p = r.bytes();
        if (offset <= page.maxOffset()) {
            r.checkItem(offset, false);
            if ((Page.i32(p, page.lpOff(offset)) & 3) != PLACEHOLDER) {
                throw r.fail("SPGiST tuple to be replaced is not a placeholder");
            }
            addCount(p, N_PLACEHOLDER, -1);
            PageItems.indexTupleDelete(page, offset);
        }
        if (size <= 0 || from + size > src.length || page.addItem(src, from, size, offset, false, false) != offset) {
            throw r.fail("failed to add item of size " + size + " to SPGiST index page");
        }
    }

    /** Delete then add at the same offset (the pattern of several routines). */
    static void replaceAt(BlockRedo r, byte[] src, int from, int size, int offset) {
        PageItems.indexTupleDelete(r.page(), offset);
        if (size <= 0 || from + size > src.length || r.page().addItem(src, from, size, offset, false, false) != offset) {
            throw r.fail("failed to add item of size " + size + " to SPGiST index page");
        }
    }

    /** spgUpdateNodeLink on the inner tuple at item {@code offnum}. */
    static void updateNodeLink(BlockRedo r, int offnum, int nodeI, int blkno, int offset) {
        r.checkItem(offnum, false);
        byte[] p = r.bytes();
        int t = r.page().lpOff(offnum);
        int head = Page.i32(p, t);
        int nNodes = (head >>> 3) & 0x1FFF;
        int node = t + 8 + (head >>> 16);
        for (int i = 0; i < nNodes; i++) {
            if (i == nodeI) {
                IndexTuple.setTidBlock(p, node, blkno);
                IndexTuple.setTidOffset(p, node, offset);
                return;
            }
            int sz = IndexTuple.size(p, node);
            if (sz == 0) {
                throw r.fail("SPGiST inner tuple " + offnum + " has an empty node");
            }
            node += sz;
        }
        throw r.fail("failed to find requested node " + nodeI + " in SPGiST inner tuple");
    }

    /** spgPageIndexMultiDelete: the items become dead tuples of the given states (first item: firstState). */
    static void multiDelete(BlockRedo r, int[] items, int firstState, int restState, int blkno, int offnum, int xid) {
        if (items.length == 0) {
            return;
        }
        int[] sorted = items.clone();
        Arrays.sort(sorted);
        Page page = r.page();
        PageItems.indexMultiDelete(page, sorted, sorted.length);
        for (int itemno : sorted) {
            int state = itemno == items[0] ? firstState : restState;
            byte[] dt = deadTuple(state, blkno, offnum, xid);
            if (page.addItem(dt, 0, DEAD_SIZE, itemno, false, false) != itemno) {
                throw r.fail("failed to add item of size 16 to SPGiST index page");
            }
            if (state == REDIRECT) {
                addCount(r.bytes(), N_REDIRECTION, 1);
            } else if (state == PLACEHOLDER) {
                addCount(r.bytes(), N_PLACEHOLDER, 1);
            }
        }
    }

    static int[] offsets(BlockRedo r, byte[] main, int at, int n) {
        if (n < 0 || at + 2 * n > main.length) {
            throw r.fail("SPGiST record lists " + n + " offsets past its data");
        }
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = Page.u16(main, at + 2 * i);
        }
        return o;
    }

    // ---- routines

    private static void addLeaf(BlockRedo r) {
        byte[] main = r.mainData(18);
        boolean newPage = main[0] != 0;
        boolean nulls = main[1] != 0;
        int offLeaf = Page.u16(main, 2);
        int offHead = Page.u16(main, 4);
        int offParent = Page.u16(main, 6);
        int nodeI = Page.u16(main, 8);
        int tup = 10;
        int size = leafSize(main, tup);
        Action action;
        if (newPage) {
            action = r.init(0) ? Action.NEEDS_REDO : Action.OTHER_BLOCK;
            if (action == Action.NEEDS_REDO) {
                initPage(r.bytes(), LEAF | (nulls ? NULLS : 0));
            }
        } else {
            action = r.read(0);
        }
        if (action == Action.NEEDS_REDO) {
            if (offLeaf != offHead) {
                addOrReplace(r, main, tup, size, offLeaf);
                if (offHead != 0) {
                    r.checkItem(offHead, false);
                    int h = r.page().lpOff(offHead);
                    int info = Page.u16(r.bytes(), h + 4);
                    Page.setU16(r.bytes(), h + 4, (info & 0xC000) | (offLeaf & 0x3FFF));
                }
            } else {
                replaceAt(r, main, tup, size, offLeaf);
            }
            r.page().setLsn(r.lsn());
        }
        if (offParent != 0 && r.read(1) == Action.NEEDS_REDO) {
            updateNodeLink(r, offParent, nodeI, r.block(0).blockNumber(), offLeaf);
            r.page().setLsn(r.lsn());
        }
    }

    private static void moveLeafs(BlockRedo r) {
        byte[] main = r.mainData(20);
        int nMoves = Page.u16(main, 0);
        boolean newPage = main[2] != 0;
        boolean replaceDead = main[3] != 0;
        boolean nulls = main[4] != 0;
        int offParent = Page.u16(main, 6);
        int nodeI = Page.u16(main, 8);
        int myXid = Page.i32(main, 12);
        boolean isBuild = main[16] != 0;
        int nInsert = replaceDead ? 1 : nMoves + 1;
        int[] toDelete = offsets(r, main, 20, nMoves);
        int[] toInsert = offsets(r, main, 20 + 2 * nMoves, nInsert);
        int pos = 20 + 2 * (nMoves + nInsert);
        int blknoDst = r.block(1).blockNumber();
        Action action;
        if (newPage) {
            action = r.init(1) ? Action.NEEDS_REDO : Action.OTHER_BLOCK;
            if (action == Action.NEEDS_REDO) {
                initPage(r.bytes(), LEAF | (nulls ? NULLS : 0));
            }
        } else {
            action = r.read(1);
        }
        if (action == Action.NEEDS_REDO) {
            for (int i = 0; i < nInsert; i++) {
                int size = leafSize(main, pos);
                addOrReplace(r, main, pos, size, toInsert[i]);
                pos += size;
            }
            r.page().setLsn(r.lsn());
        }
        if (r.read(0) == Action.NEEDS_REDO) {
            multiDelete(r, toDelete, isBuild ? PLACEHOLDER : REDIRECT, PLACEHOLDER, blknoDst, toInsert[nInsert - 1],
                    myXid);
            r.page().setLsn(r.lsn());
        }
        if (r.read(2) == Action.NEEDS_REDO) {
            updateNodeLink(r, offParent, nodeI, blknoDst, toInsert[nInsert - 1]);
            r.page().setLsn(r.lsn());
        }
    }

    private static void vacuumLeaf(BlockRedo r) {
        byte[] main = r.mainData(16);
        int nDead = Page.u16(main, 0);
        int nPlaceholder = Page.u16(main, 2);
        int nMove = Page.u16(main, 4);
        int nChain = Page.u16(main, 6);
        int myXid = Page.i32(main, 8);
        int at = 16;
        int[] toDead = offsets(r, main, at, nDead);
        at += 2 * nDead;
        int[] toPlaceholder = offsets(r, main, at, nPlaceholder);
        at += 2 * nPlaceholder;
        int[] moveSrc = offsets(r, main, at, nMove);
        at += 2 * nMove;
        int[] moveDest = offsets(r, main, at, nMove);
        at += 2 * nMove;
        int[] chainSrc = offsets(r, main, at, nChain);
        at += 2 * nChain;
        int[] chainDest = offsets(r, main, at, nChain);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        Page page = r.page();
        byte[] p = r.bytes();
        multiDelete(r, toDead, DEAD, DEAD, INVALID, 0, myXid);
        multiDelete(r, toPlaceholder, PLACEHOLDER, PLACEHOLDER, INVALID, 0, myXid);
        for (int i = 0; i < nMove; i++) {
            r.checkItem(moveSrc[i], false);
            r.checkItem(moveDest[i], false);
            int src = Page.itemIdPos(moveSrc[i]);
            int dst = Page.itemIdPos(moveDest[i]);
            int tmp = Page.i32(p, src);
            Page.setI32(p, src, Page.i32(p, dst));
            Page.setI32(p, dst, tmp);
        }
        multiDelete(r, moveSrc, PLACEHOLDER, PLACEHOLDER, INVALID, 0, myXid);
        for (int i = 0; i < nChain; i++) {
            r.checkItem(chainSrc[i], false);
            int t = page.lpOff(chainSrc[i]);
            int info = Page.u16(p, t + 4);
            Page.setU16(p, t + 4, (info & 0xC000) | (chainDest[i] & 0x3FFF));
        }
        page.setLsn(r.lsn());
    }

    private static void vacuumRoot(BlockRedo r) {
        byte[] main = r.mainData(12);
        int[] toDelete = offsets(r, main, 12, Page.u16(main, 0));
        if (r.read(0) == Action.NEEDS_REDO) {
            PageItems.indexMultiDelete(r.page(), toDelete, toDelete.length);
            r.page().setLsn(r.lsn());
        }
    }

    private static void vacuumRedirect(BlockRedo r) {
        byte[] main = r.mainData(8);
        int n = Page.u16(main, 0);
        int firstPlaceholder = Page.u16(main, 2);
        int[] items = offsets(r, main, 8, n);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        Page page = r.page();
        byte[] p = r.bytes();
        for (int item : items) {
            r.checkItem(item, false);
            int t = page.lpOff(item);
            Page.setI32(p, t, (Page.i32(p, t) & ~3) | PLACEHOLDER);
            IndexTuple.setTidBlock(p, t + 6, INVALID);
            IndexTuple.setTidOffset(p, t + 6, 0);
        }
        addCount(p, N_REDIRECTION, -n);
        addCount(p, N_PLACEHOLDER, n);
        if (firstPlaceholder != 0) {
            int max = page.maxOffset();
            int count = max - firstPlaceholder + 1;
            int[] toDelete = new int[Math.max(0, count)];
            for (int i = 0; i < count; i++) {
                toDelete[i] = firstPlaceholder + i;
            }
            addCount(p, N_PLACEHOLDER, -count);
            PageItems.indexMultiDelete(page, toDelete, toDelete.length);
        }
        page.setLsn(r.lsn());
    }
}
