package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the GIN resource manager (PostgreSQL 15 {@code ginxlog.c}, page helpers of
 * {@code ginutil.c}, {@code gindatapage.c}, {@code ginpostinglist.c}). Page layout: opaque area
 * (rightlink u32, maxoff u16, flags u16) in the 8-byte special space; data pages hold a right
 * bound TID at 24 and their items (posting list segments on leaves, 10-byte PostingItems inside)
 * from 32, with pd_lower marking their end. Stateless.
 */
public final class GinRedo {

    static final int OPAQUE_SIZE = 8;
    static final int GIN_DATA = 1;
    static final int GIN_LEAF = 1 << 1;
    static final int GIN_DELETED = 1 << 2;
    static final int GIN_META = 1 << 3;
    static final int GIN_LIST = 1 << 4;
    static final int GIN_LIST_FULLROW = 1 << 5;
    static final int GIN_INCOMPLETE_SPLIT = 1 << 6;
    static final int GIN_COMPRESSED = 1 << 7;
    private static final int INSERT_ISDATA = 0x01;
    private static final int INSERT_ISLEAF = 0x02;
    private static final int SPLIT_ROOT = 0x04;
    private static final int INVALID = 0xFFFFFFFF;
    private static final int DATA = 32;
    private static final int POSTING_ITEM = 10;
    private static final int META_SIZE = 56;
    private static final int GIN_CURRENT_VERSION = 2;

    private GinRedo() {
    }

    static boolean redo(BlockRedo r) {
        switch (r.record().rmInfo()) {
            case 0x10 -> createPostingTree(r);
            case 0x20 -> insert(r);
            case 0x30 -> split(r);
            case 0x40 -> mustRestore(r, 0, "replay of gin entry tree page vacuum did not restore the page");
            case 0x50 -> deletePage(r);
            case 0x60 -> updateMetapage(r);
            case 0x70 -> insertListPage(r);
            case 0x80 -> deleteListPages(r);
            case 0x90 -> {
                if (r.read(0) == Action.NEEDS_REDO) {
                    recompress(r, r.data(0), 0);
                    r.page().setLsn(r.lsn());
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    static int opaque(byte[] p) {
        return new Page(p).special();
    }

    static int flags(byte[] p) {
        return Page.u16(p, opaque(p) + 6);
    }

    private static void setFlags(byte[] p, int f) {
        Page.setU16(p, opaque(p) + 6, f);
    }

    private static int maxoff(byte[] p) {
        return Page.u16(p, opaque(p) + 4);
    }

    private static void setMaxoff(byte[] p, int v) {
        Page.setU16(p, opaque(p) + 4, v);
    }

    private static void setRightlink(byte[] p, int blk) {
        Page.setI32(p, opaque(p), blk);
    }

    /** GinInitPage. */
    private static void initPage(byte[] p, int flags) {
        new Page(p).init(OPAQUE_SIZE);
        setFlags(p, flags);
        setRightlink(p, INVALID);
    }

    /** GinInitMetabuffer, then the record's GinMetaPageData copied over it. */
    private static void initMeta(byte[] p, byte[] src, int off) {
        initPage(p, GIN_META);
        int m = Page.HEADER_SIZE;
        Page.setI32(p, m, INVALID);
        Page.setI32(p, m + 4, INVALID);
        Page.setI32(p, m + 48, GIN_CURRENT_VERSION);
        new Page(p).setLower(m + META_SIZE);
        System.arraycopy(src, off, p, m, META_SIZE);
    }

    private static void mustRestore(BlockRedo r, int blockId, String message) {
        if (r.read(blockId) != Action.RESTORED && r.isTarget(blockId)) {
            throw r.fail(message);
        }
    }

    private static void clearIncompleteSplit(BlockRedo r, int blockId) {
        if (r.read(blockId) == Action.NEEDS_REDO) {
            setFlags(r.bytes(), flags(r.bytes()) & ~GIN_INCOMPLETE_SPLIT);
            r.page().setLsn(r.lsn());
        }
    }

    private static void setDataSize(byte[] p, int size) {
        new Page(p).setLower(size + DATA);
    }

    private static void createPostingTree(BlockRedo r) {
        byte[] main = r.mainData(4);
        int size = Page.i32(main, 0);
        if (size < 0 || main.length < 4 + size) {
            throw r.fail("posting tree data is " + (main.length - 4) + " bytes, the record says " + size);
        }
        if (r.init(0)) {
            byte[] p = r.bytes();
            initPage(p, GIN_DATA | GIN_LEAF | GIN_COMPRESSED);
            System.arraycopy(main, 4, p, DATA, size);
            setDataSize(p, size);
            r.page().setLsn(r.lsn());
        }
    }

    private static void insert(BlockRedo r) {
        byte[] main = r.mainData(2);
        int flags = Page.u16(main, 0);
        boolean leaf = (flags & INSERT_ISLEAF) != 0;
        int rightChild = INVALID;
        if (!leaf) {
            if (main.length < 10) {
                throw r.fail("GIN insert into an inner page lacks its child block numbers");
            }
            rightChild = (Page.u16(main, 6) << 16) | Page.u16(main, 8);
            clearIncompleteSplit(r, 1);
        }
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] d = r.data(0);
        byte[] p = r.bytes();
        Page page = r.page();
        if ((flags & INSERT_ISDATA) != 0) {
            if (leaf) {
                recompress(r, d, 0);
            } else {
                int offset = Page.u16(d, 0);
                int max = maxoff(p);
                if (offset < 1 || offset > max + 1 || d.length < 2 + POSTING_ITEM) {
                    throw r.fail("posting item " + offset + " out of range (maxoff " + max + ")");
                }
                int old = DATA + (offset - 1) * POSTING_ITEM;
                if (offset <= max) {
                    Page.setU16(p, old, rightChild >>> 16);
                    Page.setU16(p, old + 2, rightChild & 0xFFFF);
                }
                if (offset != max + 1) {
                    System.arraycopy(p, old, p, old + POSTING_ITEM, (max - offset + 1) * POSTING_ITEM);
                }
                System.arraycopy(d, 2, p, old, POSTING_ITEM);
                setMaxoff(p, max + 1);
                setDataSize(p, (max + 1) * POSTING_ITEM);
            }
        } else {
            int offset = Page.u16(d, 0);
            boolean isDelete = d[2] != 0;
            if (rightChild != INVALID) {
                r.checkItem(offset, false);
                IndexTuple.setTidBlock(p, page.lpOff(offset), rightChild);
            }
            if (isDelete) {
                PageItems.indexTupleDelete(page, offset);
            }
            int size = IndexTuple.size(d, 4);
            if (d.length < 4 + size || page.addItem(d, 4, size, offset, false, false) == 0) {
                throw r.fail("failed to add item to index page at " + offset);
            }
        }
        page.setLsn(r.lsn());
    }

    private static void split(BlockRedo r) {
        int flags = Page.u16(r.mainData(26), 24);
        if ((flags & INSERT_ISLEAF) == 0) {
            clearIncompleteSplit(r, 3);
        }
        mustRestore(r, 0, "GIN split record did not contain a full-page image of left page");
        mustRestore(r, 1, "GIN split record did not contain a full-page image of right page");
        if ((flags & SPLIT_ROOT) != 0) {
            mustRestore(r, 2, "GIN split record did not contain a full-page image of root page");
        }
    }

    private static void deletePage(BlockRedo r) {
        byte[] main = r.mainData(12);
        if (r.read(2) == Action.NEEDS_REDO) {
            setRightlink(r.bytes(), Page.i32(main, 4));
            r.page().setLsn(r.lsn());
        }
        if (r.read(0) == Action.NEEDS_REDO) {
            setFlags(r.bytes(), flags(r.bytes()) | GIN_DELETED);
            r.page().setPruneXid(Page.i32(main, 8));
            r.page().setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            byte[] p = r.bytes();
            int offset = Page.u16(main, 0);
            int max = maxoff(p);
            if (offset < 1 || offset > max) {
                throw r.fail("posting item " + offset + " out of range (maxoff " + max + ")");
            }
            if (offset != max) {
                int at = DATA + (offset - 1) * POSTING_ITEM;
                System.arraycopy(p, at + POSTING_ITEM, p, at, POSTING_ITEM * (max - offset));
            }
            setMaxoff(p, max - 1);
            setDataSize(p, (max - 1) * POSTING_ITEM);
            r.page().setLsn(r.lsn());
        }
    }

    private static void updateMetapage(BlockRedo r) {
        byte[] main = r.mainData(84);
        int prevTail = Page.i32(main, 72);
        int newRightlink = Page.i32(main, 76);
        int ntuples = Page.i32(main, 80);
        if (r.init(0)) {
            initMeta(r.bytes(), main, 16);
            r.page().setLsn(r.lsn());
        }
        if (ntuples > 0) {
            if (r.read(1) == Action.NEEDS_REDO) {
                Page page = r.page();
                int off = page.isEmpty() ? 1 : page.maxOffset() + 1;
                addTuples(r, r.data(1), ntuples, off);
                setMaxoff(r.bytes(), maxoff(r.bytes()) + 1);
                page.setLsn(r.lsn());
            }
        } else if (prevTail != INVALID && r.read(1) == Action.NEEDS_REDO) {
            setRightlink(r.bytes(), newRightlink);
            r.page().setLsn(r.lsn());
        }
    }

    private static void addTuples(BlockRedo r, byte[] d, int ntuples, int off) {
        int pos = 0;
        for (int i = 0; i < ntuples; i++) {
            if (pos + 8 > d.length) {
                throw r.fail("tuple " + i + " of " + ntuples + " is past the block data");
            }
            int size = IndexTuple.size(d, pos);
            if (size == 0 || pos + size > d.length || r.page().addItem(d, pos, size, off, false, false) == 0) {
                throw r.fail("failed to add item to index page");
            }
            pos += size;
            off++;
        }
        if (pos != d.length) {
            throw r.fail("tuple data holds " + d.length + " bytes, " + pos + " used");
        }
    }

    private static void insertListPage(BlockRedo r) {
        byte[] main = r.mainData(8);
        int rightlink = Page.i32(main, 0);
        int ntuples = Page.i32(main, 4);
        if (!r.init(0)) {
            return;
        }
        byte[] p = r.bytes();
        initPage(p, GIN_LIST);
        setRightlink(p, rightlink);
        if (rightlink == INVALID) {
            setFlags(p, flags(p) | GIN_LIST_FULLROW);
            setMaxoff(p, 1);
        } else {
            setMaxoff(p, 0);
        }
        addTuples(r, r.block(0).hasData() ? r.block(0).data() : new byte[0], ntuples, 1);
        r.page().setLsn(r.lsn());
    }

    private static void deleteListPages(BlockRedo r) {
        byte[] main = r.mainData(60);
        int ndeleted = Page.i32(main, 56);
        if (r.init(0)) {
            initMeta(r.bytes(), main, 0);
            r.page().setLsn(r.lsn());
        }
        for (int i = 0; i < ndeleted; i++) {
            if (r.init(i + 1)) {
                initPage(r.bytes(), GIN_DELETED);
                r.page().setLsn(r.lsn());
            }
        }
    }

    /** ginRedoRecompress: the segment actions of a data leaf page, from {@code d[off]} (u16 nactions, actions). */
    private static void recompress(BlockRedo r, byte[] d, int off) {
        GinRecompress.apply(r, d, off);
    }
}
