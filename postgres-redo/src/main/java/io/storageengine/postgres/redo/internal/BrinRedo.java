package io.storageengine.postgres.redo.internal;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the BRIN resource manager (PostgreSQL 15 {@code brin_xlog.c}, {@code brin_pageops.c},
 * {@code brin_revmap.c}). Page layout: 8-byte special space whose last u16 is the page type
 * (META 0xF091, REVMAP 0xF092, REGULAR 0xF093) and the one before it the flags; the revmap
 * holds one TID (6 bytes) per page range from byte 24, 1360 a page. Stateless.
 */
public final class BrinRedo {

    static final int TYPE_META = 0xF091;
    static final int TYPE_REVMAP = 0xF092;
    static final int TYPE_REGULAR = 0xF093;
    static final int EVACUATE_PAGE = 1;
    private static final int SPECIAL = 8;
    private static final int INIT_PAGE = 0x80;
    private static final int META_MAGIC = 0xA8109CFA;
    private static final int REVMAP_MAXITEMS = (Page.SIZE - Page.HEADER_SIZE - SPECIAL) / 6;

    private BrinRedo() {
    }

    static boolean redo(BlockRedo r) {
        switch (r.record().rmInfo() & 0x70) {
            case 0x00 -> createIndex(r);
            case 0x10 -> insertUpdate(r, r.mainData(10), 0);
            case 0x20 -> {
                byte[] main = r.mainData(14);
                if (r.record().block(2) != null && r.read(2) == Action.NEEDS_REDO) {
                    PageItems.indexTupleDeleteNoCompact(r.page(), Page.u16(main, 0));
                    r.page().setLsn(r.lsn());
                }
                insertUpdate(r, main, 4);
            }
            case 0x30 -> {
                int offnum = Page.u16(r.mainData(2), 0);
                if (r.read(0) == Action.NEEDS_REDO) {
                    byte[] t = r.data(0);
                    if (!PageItems.indexTupleOverwrite(r.page(), offnum, t, 0, t.length)) {
                        throw r.fail("brin_xlog_samepage_update: failed to replace tuple " + offnum);
                    }
                    r.page().setLsn(r.lsn());
                }
            }
            case 0x40 -> revmapExtend(r);
            case 0x50 -> desummarize(r);
            default -> {
                return false;
            }
        }
        return true;
    }

    static int pageType(byte[] p) {
        return Page.u16(p, new Page(p).special() + SPECIAL - 2);
    }

    /** brin_page_init. */
    private static void pageInit(byte[] p, int type) {
        new Page(p).init(SPECIAL);
        Page.setU16(p, Page.SIZE - 2, type);
    }

    private static void createIndex(BlockRedo r) {
        byte[] main = r.mainData(6);
        if (r.init(0)) {
            byte[] p = r.bytes();
            pageInit(p, TYPE_META);
            int m = Page.HEADER_SIZE;
            Page.setI32(p, m, META_MAGIC);
            Page.setI32(p, m + 4, Page.u16(main, 4));
            Page.setI32(p, m + 8, Page.i32(main, 0));
            Page.setI32(p, m + 12, 0);
            r.page().setLower(m + 16);
            r.page().setLsn(r.lsn());
        }
    }

    /** brin_xlog_insert_update, with the xl_brin_insert at {@code main[at..]}. */
    private static void insertUpdate(BlockRedo r, byte[] main, int at) {
        int heapBlk = Page.i32(main, at);
        int pagesPerRange = Page.i32(main, at + 4);
        int offnum = Page.u16(main, at + 8);
        int regpgno = r.block(0).blockNumber();
        Action action;
        if ((r.record().info() & INIT_PAGE) != 0) {
            action = r.init(0) ? Action.NEEDS_REDO : Action.OTHER_BLOCK;
            if (action == Action.NEEDS_REDO) {
                pageInit(r.bytes(), TYPE_REGULAR);
            }
        } else {
            action = r.read(0);
        }
        if (action == Action.NEEDS_REDO) {
            Page page = r.page();
            if (page.maxOffset() + 1 < offnum) {
                throw r.fail("brin_xlog_insert_update: invalid max offset number " + offnum);
            }
            byte[] t = r.data(0);
            if (page.addItem(t, 0, t.length, offnum, true, false) == 0) {
                throw r.fail("brin_xlog_insert_update: failed to add tuple at " + offnum);
            }
            page.setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            setRevmap(r, pagesPerRange, heapBlk, regpgno, offnum);
            r.page().setLsn(r.lsn());
        }
    }

    /** brinSetHeapBlockItemptr; offnum 0 writes the invalid TID. */
    private static void setRevmap(BlockRedo r, int pagesPerRange, int heapBlk, int block, int offnum) {
        if (pagesPerRange == 0) {
            throw r.fail("BRIN pagesPerRange is 0");
        }
        long index = (Integer.toUnsignedLong(heapBlk) / Integer.toUnsignedLong(pagesPerRange)) % REVMAP_MAXITEMS;
        int at = Page.HEADER_SIZE + (int) index * 6;
        byte[] p = r.bytes();
        int blk = offnum == 0 ? 0xFFFFFFFF : block;
        Page.setU16(p, at, blk >>> 16);
        Page.setU16(p, at + 2, blk & 0xFFFF);
        Page.setU16(p, at + 4, offnum);
    }

    private static void revmapExtend(BlockRedo r) {
        int targetBlk = Page.i32(r.mainData(4), 0);
        if (r.read(0) == Action.NEEDS_REDO) {
            Page.setI32(r.bytes(), Page.HEADER_SIZE + 12, targetBlk);
            r.page().setLsn(r.lsn());
            r.page().setLower(Page.HEADER_SIZE + 16);
        }
        if (r.init(1)) {
            pageInit(r.bytes(), TYPE_REVMAP);
            r.page().setLsn(r.lsn());
        }
    }

    private static void desummarize(BlockRedo r) {
        byte[] main = r.mainData(10);
        if (r.read(0) == Action.NEEDS_REDO) {
            setRevmap(r, Page.i32(main, 0), Page.i32(main, 4), 0, 0);
            r.page().setLsn(r.lsn());
        }
        if (r.read(1) == Action.NEEDS_REDO) {
            PageItems.indexTupleDeleteNoCompact(r.page(), Page.u16(main, 8));
            r.page().setLsn(r.lsn());
        }
    }
}
