package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * SP-GiST redo of the records that restructure inner tuples (PostgreSQL 15 {@code spgxlog.c}):
 * ADD_NODE, SPLIT_TUPLE and PICKSPLIT. Helpers and layout in {@link SpgistRedo}. Stateless.
 */
final class SpgistSplitRedo {

    private static final int REDIRECT = 1;
    private static final int PLACEHOLDER = 3;
    private static final int INVALID = 0xFFFFFFFF;

    private SpgistSplitRedo() {
    }

    static void addNode(BlockRedo r) {
        byte[] main = r.mainData(28);
        int offnum = Page.u16(main, 0);
        int offnumNew = Page.u16(main, 2);
        boolean newPage = main[4] != 0;
        int parentBlk = main[5];
        int offParent = Page.u16(main, 6);
        int nodeI = Page.u16(main, 8);
        int myXid = Page.i32(main, 12);
        boolean isBuild = main[16] != 0;
        int tup = 20;
        int size = SpgistRedo.innerSize(main, tup);
        if (r.record().block(1) == null) {
            if (r.read(0) == Action.NEEDS_REDO) {
                SpgistRedo.replaceAt(r, main, tup, size, offnum);
                r.page().setLsn(r.lsn());
            }
            return;
        }
        int blknoNew = r.block(1).blockNumber();
        Action action;
        if (newPage) {
            action = r.init(1) ? Action.NEEDS_REDO : Action.OTHER_BLOCK;
            if (action == Action.NEEDS_REDO) {
                SpgistRedo.initPage(r.bytes(), 0);
            }
        } else {
            action = r.read(1);
        }
        if (action == Action.NEEDS_REDO) {
            SpgistRedo.addOrReplace(r, main, tup, size, offnumNew);
            if (parentBlk == 1) {
                SpgistRedo.updateNodeLink(r, offParent, nodeI, blknoNew, offnumNew);
            }
            r.page().setLsn(r.lsn());
        }
        if (r.read(0) == Action.NEEDS_REDO) {
            byte[] dt = isBuild ? SpgistRedo.deadTuple(PLACEHOLDER, INVALID, 0, myXid)
                    : SpgistRedo.deadTuple(REDIRECT, blknoNew, offnumNew, myXid);
            SpgistRedo.replaceAt(r, dt, 0, dt.length, offnum);
            SpgistRedo.addCount(r.bytes(), isBuild ? SpgistRedo.N_PLACEHOLDER : SpgistRedo.N_REDIRECTION, 1);
            if (parentBlk == 0) {
                SpgistRedo.updateNodeLink(r, offParent, nodeI, blknoNew, offnumNew);
            }
            r.page().setLsn(r.lsn());
        }
        if (parentBlk == 2 && r.read(2) == Action.NEEDS_REDO) {
            SpgistRedo.updateNodeLink(r, offParent, nodeI, blknoNew, offnumNew);
            r.page().setLsn(r.lsn());
        }
    }

    static void splitTuple(BlockRedo r) {
        byte[] main = r.mainData(14);
        int offPrefix = Page.u16(main, 0);
        int offPostfix = Page.u16(main, 2);
        boolean newPage = main[4] != 0;
        boolean postfixSame = main[5] != 0;
        int prefix = 6;
        int prefixSize = SpgistRedo.innerSize(main, prefix);
        int postfix = prefix + prefixSize;
        if (postfix + 8 > main.length) {
            throw r.fail("SPGiST split tuple record ends inside its postfix tuple");
        }
        int postfixSize = SpgistRedo.innerSize(main, postfix);
        if (!postfixSame) {
            Action action;
            if (newPage) {
                action = r.init(1) ? Action.NEEDS_REDO : Action.OTHER_BLOCK;
                if (action == Action.NEEDS_REDO) {
                    SpgistRedo.initPage(r.bytes(), 0);
                }
            } else {
                action = r.read(1);
            }
            if (action == Action.NEEDS_REDO) {
                SpgistRedo.addOrReplace(r, main, postfix, postfixSize, offPostfix);
                r.page().setLsn(r.lsn());
            }
        }
        if (r.read(0) == Action.NEEDS_REDO) {
            SpgistRedo.replaceAt(r, main, prefix, prefixSize, offPrefix);
            if (postfixSame) {
                SpgistRedo.addOrReplace(r, main, postfix, postfixSize, offPostfix);
            }
            r.page().setLsn(r.lsn());
        }
    }

    static void pickSplit(BlockRedo r) {
        byte[] main = r.mainData(28);
        boolean isRootSplit = main[0] != 0;
        int nDelete = Page.u16(main, 2);
        int nInsert = Page.u16(main, 4);
        boolean initSrc = main[6] != 0;
        boolean initDest = main[7] != 0;
        int offInner = Page.u16(main, 8);
        boolean initInner = main[10] != 0;
        boolean nulls = main[11] != 0;
        boolean innerIsParent = main[12] != 0;
        int offParent = Page.u16(main, 14);
        int nodeI = Page.u16(main, 16);
        int myXid = Page.i32(main, 20);
        boolean isBuild = main[24] != 0;
        int at = 28;
        int[] toDelete = SpgistRedo.offsets(r, main, at, nDelete);
        at += 2 * nDelete;
        int[] toInsert = SpgistRedo.offsets(r, main, at, nInsert);
        at += 2 * nInsert;
        if (at + nInsert > main.length) {
            throw r.fail("SPGiST picksplit record ends inside its page selection");
        }
        int select = at;
        at += nInsert;
        int inner = at;
        int innerSize = SpgistRedo.innerSize(main, inner);
        at += innerSize;
        int blknoInner = r.block(2).blockNumber();
        int leafFlags = SpgistRedo.LEAF | (nulls ? SpgistRedo.NULLS : 0);

        // the source page (block 0) and the destination page (block 1) get the leaf tuples
        boolean srcNeedsRedo = false;
        if (!isRootSplit) {
            if (initSrc) {
                if (r.init(0)) {
                    SpgistRedo.initPage(r.bytes(), leafFlags);
                    srcNeedsRedo = true;
                }
            } else if (r.read(0) == Action.NEEDS_REDO) {
                srcNeedsRedo = true;
                if (!isBuild) {
                    SpgistRedo.multiDelete(r, toDelete, REDIRECT, PLACEHOLDER, blknoInner, offInner, myXid);
                } else {
                    SpgistRedo.multiDelete(r, toDelete, PLACEHOLDER, PLACEHOLDER, INVALID, 0, myXid);
                }
            }
        }
        boolean destNeedsRedo = false;
        if (r.record().block(1) != null) {
            if (initDest) {
                if (r.init(1)) {
                    SpgistRedo.initPage(r.bytes(), leafFlags);
                    destNeedsRedo = true;
                }
            } else {
                destNeedsRedo = r.read(1) == Action.NEEDS_REDO;
            }
        }
        for (int i = 0; i < nInsert; i++) {
            int size = SpgistRedo.leafSize(main, at);
            boolean toDest = main[select + i] != 0;
            if (toDest ? destNeedsRedo : srcNeedsRedo) {
                SpgistRedo.addOrReplace(r, main, at, size, toInsert[i]);
            }
            at += size;
        }
        if (srcNeedsRedo || destNeedsRedo) {
            r.page().setLsn(r.lsn());
        }

        Action innerAction;
        if (initInner) {
            innerAction = r.init(2) ? Action.NEEDS_REDO : Action.OTHER_BLOCK;
            if (innerAction == Action.NEEDS_REDO) {
                SpgistRedo.initPage(r.bytes(), nulls ? SpgistRedo.NULLS : 0);
            }
        } else {
            innerAction = r.read(2);
        }
        if (innerAction == Action.NEEDS_REDO) {
            SpgistRedo.addOrReplace(r, main, inner, innerSize, offInner);
            if (innerIsParent) {
                SpgistRedo.updateNodeLink(r, offParent, nodeI, blknoInner, offInner);
            }
            r.page().setLsn(r.lsn());
        }
        if (r.record().block(3) != null && r.read(3) == Action.NEEDS_REDO) {
            SpgistRedo.updateNodeLink(r, offParent, nodeI, blknoInner, offInner);
            r.page().setLsn(r.lsn());
        }
    }
}
