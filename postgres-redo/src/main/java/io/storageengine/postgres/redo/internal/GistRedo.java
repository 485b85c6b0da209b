package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the GiST resource manager (PostgreSQL 15 {@code gistxlog.c}, {@code gistutil.c}).
 * Page layout: opaque area (NSN as two u32, rightlink u32, flags u16, page id 0xFF81) in the
 * 16-byte special space. Like Hash, GiST changes a page after restoring its image (clearing
 * F_FOLLOW_RIGHT and setting the NSN of the split's left page), so it does not take the
 * engine's image-first shortcut. Stateless.
 */
public final class GistRedo {

    static final int OPAQUE_SIZE = 16;
    static final int F_LEAF = 1;
    static final int F_DELETED = 1 << 1;
    static final int F_TUPLES_DELETED = 1 << 2;
    static final int F_FOLLOW_RIGHT = 1 << 3;
    static final int F_HAS_GARBAGE = 1 << 4;
    private static final int GIST_PAGE_ID = 0xFF81;
    private static final int INVALID = 0xFFFFFFFF;

    private GistRedo() {
    }

    static boolean redo(BlockRedo r) {
        switch (r.record().rmInfo()) {
            case 0x00 -> pageUpdate(r);
            case 0x10 -> delete(r);
            case 0x20, 0x70 -> r.markTouched(); // PAGE_REUSE, ASSIGN_LSN: no page change
            case 0x30 -> pageSplit(r);
            case 0x60 -> pageDelete(r);
            default -> {
                return false;
            }
        }
        return true;
    }

    static int flags(byte[] p) {
        return Page.u16(p, new Page(p).special() + 12);
    }

    static void setFlags(byte[] p, int f) {
        Page.setU16(p, new Page(p).special() + 12, f);
    }

    static void setNsn(byte[] p, long nsn) {
        int o = new Page(p).special();
        Page.setI32(p, o, (int) (nsn >>> 32));
        Page.setI32(p, o + 4, (int) nsn);
    }

    private static void setRightlink(byte[] p, int blk) {
        Page.setI32(p, new Page(p).special() + 8, blk);
    }

    private static void clearFollowRight(BlockRedo r, int blockId) {
        Action a = r.read(blockId);
        if (a == Action.NEEDS_REDO || a == Action.RESTORED) {
            setNsn(r.bytes(), r.lsn());
            setFlags(r.bytes(), flags(r.bytes()) & ~F_FOLLOW_RIGHT);
            r.page().setLsn(r.lsn());
        }
    }

    /** Adds the index tuples of {@code d[pos..]} from {@code off} on (gistfillbuffer); returns how many. */
    private static int fill(BlockRedo r, byte[] d, int pos, int end, int off, int expected) {
        int n = 0;
        while (pos < end && (expected < 0 || n < expected)) {
            if (pos + 8 > end) {
                throw r.fail("GiST tuple data ends inside a tuple header");
            }
            int sz = IndexTuple.size(d, pos);
            if (sz == 0 || pos + sz > end || r.page().addItem(d, pos, sz, off, false, false) == 0) {
                throw r.fail("failed to add item to GiST index page, size " + sz + " bytes");
            }
            pos += sz;
            off++;
            n++;
        }
        if (pos != end) {
            throw r.fail("GiST tuple data holds " + (end - pos) + " bytes more than its tuples");
        }
        return n;
    }

    private static void pageUpdate(BlockRedo r) {
        byte[] main = r.mainData(4);
        int ntodelete = Page.u16(main, 0);
        int ntoinsert = Page.u16(main, 2);
        if (r.read(0) == Action.NEEDS_REDO) {
            byte[] d = r.block(0).hasData() ? r.block(0).data() : new byte[0];
            Page page = r.page();
            int pos = 0;
            int inserted = 0;
            if (ntodelete == 1 && ntoinsert == 1) {
                int offnum = Page.u16(d, 0);
                int sz = IndexTuple.size(d, 2);
                if (2 + sz > d.length || !PageItems.indexTupleOverwrite(page, offnum, d, 2, sz)) {
                    throw r.fail("failed to add item to GiST index page, size " + sz + " bytes");
                }
                pos = 2 + sz;
                inserted = 1;
            } else if (ntodelete > 0) {
                int[] offs = new int[ntodelete];
                for (int i = 0; i < ntodelete; i++) {
                    offs[i] = Page.u16(d, 2 * i);
                }
                pos = 2 * ntodelete;
                PageItems.indexMultiDelete(page, offs, ntodelete);
                if ((flags(r.bytes()) & F_LEAF) != 0) {
                    setFlags(r.bytes(), flags(r.bytes()) | F_TUPLES_DELETED);
                }
            }
            if (pos < d.length) {
                int off = page.isEmpty() ? 1 : page.maxOffset() + 1;
                inserted += fill(r, d, pos, d.length, off, -1);
            }
            if (inserted != ntoinsert) {
                throw r.fail("GiST update inserted " + inserted + " tuples, the record says " + ntoinsert);
            }
            page.setLsn(r.lsn());
        }
        if (r.record().block(1) != null) {
            clearFollowRight(r, 1);
        }
    }

    private static void delete(BlockRedo r) {
        byte[] main = r.mainData(6);
        int ntodelete = Page.u16(main, 4);
        if (r.read(0) == Action.NEEDS_REDO) {
            if (main.length > 6) {
                if (main.length < 6 + 2 * ntodelete) {
                    throw r.fail("GiST delete lists " + ntodelete + " offsets in " + (main.length - 6) + " bytes");
                }
                int[] offs = new int[ntodelete];
                for (int i = 0; i < ntodelete; i++) {
                    offs[i] = Page.u16(main, 6 + 2 * i);
                }
                PageItems.indexMultiDelete(r.page(), offs, ntodelete);
            }
            setFlags(r.bytes(), (flags(r.bytes()) & ~F_HAS_GARBAGE) | F_TUPLES_DELETED);
            r.page().setLsn(r.lsn());
        }
    }

    private static void pageSplit(BlockRedo r) {
        byte[] main = r.mainData(21);
        int origRlink = Page.i32(main, 0);
        long origNsn = (Page.i32(main, 8) & 0xFFFFFFFFL) | ((long) Page.i32(main, 12) << 32);
        boolean origLeaf = main[16] != 0;
        int npage = Page.u16(main, 18);
        boolean markFollowRight = main[20] != 0;
        boolean rootSplit = false;
        for (int i = 0; i < npage; i++) {
            int blkno = r.block(i + 1).blockNumber();
            if (blkno == 0) {
                rootSplit = true;
            }
            if (!r.init(i + 1)) {
                continue;
            }
            byte[] p = r.bytes();
            byte[] d = r.data(i + 1);
            int num = Page.i32(d, 0);
            new Page(p).init(OPAQUE_SIZE);
            int o = new Page(p).special();
            Page.setI32(p, o + 8, INVALID);
            Page.setU16(p, o + 12, origLeaf && blkno != 0 ? F_LEAF : 0);
            Page.setU16(p, o + 14, GIST_PAGE_ID);
            if (fill(r, d, 4, d.length, 1, -1) != num) {
                throw r.fail("GiST split page holds a different number of tuples than its count " + num);
            }
            if (blkno == 0) {
                setRightlink(p, INVALID);
                setNsn(p, origNsn);
                setFlags(p, flags(p) & ~F_FOLLOW_RIGHT);
            } else {
                setRightlink(p, i < npage - 1 ? r.block(i + 2).blockNumber() : origRlink);
                setNsn(p, origNsn);
                if (i < npage - 1 && !rootSplit && markFollowRight) {
                    setFlags(p, flags(p) | F_FOLLOW_RIGHT);
                } else {
                    setFlags(p, flags(p) & ~F_FOLLOW_RIGHT);
                }
            }
            r.page().setLsn(r.lsn());
        }
        if (r.record().block(0) != null) {
            clearFollowRight(r, 0);
        }
    }

    private static void pageDelete(BlockRedo r) {
        byte[] main = r.mainData(10);
        if (r.read(0) == Action.NEEDS_REDO) {
            byte[] p = r.bytes();
            setFlags(p, flags(p) | F_DELETED);
            r.page().setLower(Page.HEADER_SIZE + 8);
            System.arraycopy(main, 0, p, Page.HEADER_SIZE, 8);
            r.page().setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            PageItems.indexTupleDelete(r.page(), Page.u16(main, 8));
            r.page().setLsn(r.lsn());
        }
    }
}
