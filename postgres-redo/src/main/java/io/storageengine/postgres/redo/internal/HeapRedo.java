package io.storageengine.postgres.redo.internal;

import static io.storageengine.postgres.redo.internal.HeapTuple.HEADER_SIZE;

import io.storageengine.postgres.redo.internal.BlockRedo.Action;

/**
 * Redo of the Heap resource manager (PostgreSQL 15 {@code heapam.c} heap_xlog_*): INSERT,
 * DELETE, UPDATE, HOT_UPDATE, CONFIRM, LOCK, INPLACE, TRUNCATE (no page change). The
 * visibility-map bits these records clear ({@code *_ALL_VISIBLE_CLEARED}) are on another page
 * that is not a block reference: see {@code VisibilityMapRedo}. Stateless.
 */
public final class HeapRedo {

    /** Record kinds, by {@code (info & XLOG_HEAP_OPMASK) >> 4}. */
    public enum Kind { INSERT, DELETE, UPDATE, TRUNCATE, HOT_UPDATE, CONFIRM, LOCK, INPLACE }

    /** {@code values()} once: it copies the array on every call. */
    private static final Kind[] KINDS = Kind.values();

    public static final int INIT_PAGE = 0x80;
    static final int XLHL_XMAX_IS_MULTI = 0x01;
    static final int XLHL_XMAX_LOCK_ONLY = 0x02;
    static final int XLHL_XMAX_EXCL_LOCK = 0x04;
    static final int XLHL_XMAX_KEYSHR_LOCK = 0x08;
    static final int XLHL_KEYS_UPDATED = 0x10;
    public static final int INSERT_ALL_VISIBLE_CLEARED = 0x01;
    public static final int INSERT_ALL_FROZEN_SET = 0x20;
    public static final int UPDATE_OLD_ALL_VISIBLE_CLEARED = 0x01;
    public static final int UPDATE_NEW_ALL_VISIBLE_CLEARED = 0x02;
    static final int UPDATE_PREFIX_FROM_OLD = 0x20;
    static final int UPDATE_SUFFIX_FROM_OLD = 0x40;
    public static final int DELETE_ALL_VISIBLE_CLEARED = 0x01;
    static final int DELETE_IS_SUPER = 0x08;
    static final int DELETE_IS_PARTITION_MOVE = 0x10;
    public static final int LOCK_ALL_FROZEN_CLEARED = 0x01;

    private HeapRedo() {
    }

    public static Kind kind(int info) {
        return KINDS[(info & 0x70) >> 4];
    }

    public static void redo(BlockRedo r) {
        switch (kind(r.record().info())) {
            case INSERT -> insert(r);
            case DELETE -> delete(r);
            case UPDATE -> update(r, false);
            case HOT_UPDATE -> update(r, true);
            case TRUNCATE -> r.markTouched(); // only for logical decoding: no page change
            case CONFIRM -> confirm(r);
            case LOCK -> lock(r);
            case INPLACE -> inplace(r);
        }
    }

    /** fix_infomask_from_infobits, on the tuple at {@code t}. */
    static void fixInfomaskFromInfobits(byte[] p, int t, int infobits) {
        int im = HeapTuple.infomask(p, t) & ~(HeapTuple.HEAP_XMAX_IS_MULTI | HeapTuple.HEAP_XMAX_LOCK_ONLY
                | HeapTuple.HEAP_XMAX_KEYSHR_LOCK | HeapTuple.HEAP_XMAX_EXCL_LOCK);
        int im2 = HeapTuple.infomask2(p, t) & ~HeapTuple.HEAP_KEYS_UPDATED;
        if ((infobits & XLHL_XMAX_IS_MULTI) != 0) {
            im |= HeapTuple.HEAP_XMAX_IS_MULTI;
        }
        if ((infobits & XLHL_XMAX_LOCK_ONLY) != 0) {
            im |= HeapTuple.HEAP_XMAX_LOCK_ONLY;
        }
        if ((infobits & XLHL_XMAX_EXCL_LOCK) != 0) {
            im |= HeapTuple.HEAP_XMAX_EXCL_LOCK;
        }
        if ((infobits & XLHL_XMAX_KEYSHR_LOCK) != 0) {
            im |= HeapTuple.HEAP_XMAX_KEYSHR_LOCK;
        }
        if ((infobits & XLHL_KEYS_UPDATED) != 0) {
            im2 |= HeapTuple.HEAP_KEYS_UPDATED;
        }
        HeapTuple.setInfomask(p, t, im);
        HeapTuple.setInfomask2(p, t, im2);
    }

    /** Clears HEAP_XMAX_BITS | HEAP_MOVED and HEAP_KEYS_UPDATED, as every xmax-setting redo does first. */
    static void clearXmaxBits(byte[] p, int t) {
        HeapTuple.setInfomask(p, t, HeapTuple.infomask(p, t) & ~(HeapTuple.HEAP_XMAX_BITS | HeapTuple.HEAP_MOVED));
        HeapTuple.setInfomask2(p, t, HeapTuple.infomask2(p, t) & ~HeapTuple.HEAP_KEYS_UPDATED);
    }

    static void setHotUpdated(byte[] p, int t, boolean on) {
        int im2 = HeapTuple.infomask2(p, t);
        HeapTuple.setInfomask2(p, t, on ? im2 | HeapTuple.HEAP_HOT_UPDATED : im2 & ~HeapTuple.HEAP_HOT_UPDATED);
    }

    /**
     * Builds a heap tuple from an xl_heap_header (infomask2, infomask, hoff) at {@code hdr} and
     * {@code len} bytes of bitmap and data at {@code src}: header zeroed, then xmin = xid,
     * cmin = FirstCommandId, ctid = (block, offnum).
     */
    static byte[] newTuple(byte[] hdrBytes, int hdr, byte[] src, int srcOff, int len, int xid, int block, int offnum) {
        byte[] t = new byte[HEADER_SIZE + len];
        System.arraycopy(src, srcOff, t, HEADER_SIZE, len);
        HeapTuple.setInfomask2(t, 0, Page.u16(hdrBytes, hdr));
        HeapTuple.setInfomask(t, 0, Page.u16(hdrBytes, hdr + 2));
        HeapTuple.setHoff(t, 0, hdrBytes[hdr + 4] & 0xFF);
        HeapTuple.setXmin(t, 0, xid);
        HeapTuple.setCmin(t, 0, 0);
        HeapTuple.setCtid(t, 0, block, offnum);
        return t;
    }

    private static void insert(BlockRedo r) {
        byte[] main = r.mainData(3);
        int offnum = Page.u16(main, 0);
        int flags = main[2] & 0xFF;
        Action action;
        if ((r.record().info() & INIT_PAGE) != 0) {
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
        Page page = r.page();
        if (page.maxOffset() + 1 < offnum) {
            throw r.fail("invalid max offset number: insert at " + offnum + ", page has " + page.maxOffset());
        }
        byte[] data = r.data(0);
        if (data.length <= 5) {
            throw r.fail("insert data too short: " + data.length + " bytes");
        }
        byte[] tup = newTuple(data, 0, data, 5, data.length - 5, r.record().xid(), r.block(0).blockNumber(), offnum);
        if (page.addItem(tup, 0, tup.length, offnum, true, true) == 0) {
            throw r.fail("failed to add tuple at offset " + offnum);
        }
        page.setLsn(r.lsn());
        if ((flags & INSERT_ALL_VISIBLE_CLEARED) != 0) {
            page.clearFlag(Page.PD_ALL_VISIBLE);
        }
    }

    private static void delete(BlockRedo r) {
        byte[] main = r.mainData(8);
        int xmax = Page.i32(main, 0);
        int offnum = Page.u16(main, 4);
        int infobits = main[6] & 0xFF;
        int flags = main[7] & 0xFF;
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        Page page = r.page();
        byte[] p = r.bytes();
        r.checkItem(offnum, true);
        int t = page.lpOff(offnum);
        clearXmaxBits(p, t);
        setHotUpdated(p, t, false);
        fixInfomaskFromInfobits(p, t, infobits);
        if ((flags & DELETE_IS_SUPER) == 0) {
            HeapTuple.setXmax(p, t, xmax);
        } else {
            HeapTuple.setXmin(p, t, 0);
        }
        HeapTuple.setCmaxNotCombo(p, t, 0);
        page.setPrunable(r.record().xid());
        if ((flags & DELETE_ALL_VISIBLE_CLEARED) != 0) {
            page.clearFlag(Page.PD_ALL_VISIBLE);
        }
        if ((flags & DELETE_IS_PARTITION_MOVE) != 0) {
            HeapTuple.setCtid(p, t, HeapTuple.INVALID_BLOCK, HeapTuple.MOVED_PARTITIONS_OFFSET);
        } else {
            HeapTuple.setCtid(p, t, r.block(0).blockNumber(), offnum);
        }
        page.setLsn(r.lsn());
    }

    private static void update(BlockRedo r, boolean hot) {
        byte[] main = r.mainData(14);
        int oldXmax = Page.i32(main, 0);
        int oldOffnum = Page.u16(main, 4);
        int oldInfobits = main[6] & 0xFF;
        int flags = main[7] & 0xFF;
        int newXmax = Page.i32(main, 8);
        int newOffnum = Page.u16(main, 12);
        int newBlk = r.block(0).blockNumber();
        RedoBlock oldRef = r.record().block(1);
        boolean samePage = oldRef == null;
        int oldBlockId = samePage ? 0 : 1;
        byte[] p = r.bytes();
        Page page = r.page();

        int oldTup = -1;
        int oldLen = 0;
        Action oldAction = r.read(oldBlockId);
        if (oldAction == Action.NEEDS_REDO) {
            r.checkItem(oldOffnum, true);
            int t = page.lpOff(oldOffnum);
            oldTup = t;
            oldLen = page.lpLen(oldOffnum);
            clearXmaxBits(p, t);
            setHotUpdated(p, t, hot);
            fixInfomaskFromInfobits(p, t, oldInfobits);
            HeapTuple.setXmax(p, t, oldXmax);
            HeapTuple.setCmaxNotCombo(p, t, 0);
            HeapTuple.setCtid(p, t, newBlk, newOffnum);
            page.setPrunable(r.record().xid());
            if ((flags & UPDATE_OLD_ALL_VISIBLE_CLEARED) != 0) {
                page.clearFlag(Page.PD_ALL_VISIBLE);
            }
            page.setLsn(r.lsn());
        }

        Action newAction;
        if (samePage) {
            newAction = oldAction;
        } else if ((r.record().info() & INIT_PAGE) != 0) {
            if (!r.init(0)) {
                return;
            }
            page.init(0);
            newAction = Action.NEEDS_REDO;
        } else {
            newAction = r.read(0);
        }
        if (newAction != Action.NEEDS_REDO) {
            return;
        }
        byte[] rec = r.data(0);
        int pos = 0;
        if (page.maxOffset() + 1 < newOffnum) {
            throw r.fail("invalid max offset number: new tuple at " + newOffnum + ", page has " + page.maxOffset());
        }
        int prefixLen = 0;
        int suffixLen = 0;
        if ((flags & (UPDATE_PREFIX_FROM_OLD | UPDATE_SUFFIX_FROM_OLD)) != 0 && !samePage) {
            throw r.fail("update copies a prefix or suffix from an old tuple on another page");
        }
        if ((flags & UPDATE_PREFIX_FROM_OLD) != 0) {
            prefixLen = Page.u16(rec, pos);
            pos += 2;
        }
        if ((flags & UPDATE_SUFFIX_FROM_OLD) != 0) {
            suffixLen = Page.u16(rec, pos);
            pos += 2;
        }
        if (rec.length < pos + 5) {
            throw r.fail("update data too short: " + rec.length + " bytes");
        }
        int hdr = pos;
        pos += 5;
        int tupLen = rec.length - pos;
        int hoff = rec[hdr + 4] & 0xFF;
        if ((prefixLen > 0 || suffixLen > 0) && (oldTup < 0 || prefixLen + suffixLen > oldLen)) {
            throw r.fail("prefix " + prefixLen + " + suffix " + suffixLen + " exceed the old tuple (" + oldLen + " bytes)");
        }
        byte[] body = new byte[tupLen + prefixLen + suffixLen];
        int w = 0;
        if (prefixLen > 0) {
            int bitmapLen = hoff - HEADER_SIZE;
            System.arraycopy(rec, pos, body, 0, bitmapLen);
            w = bitmapLen;
            int oldHoff = HeapTuple.hoff(p, oldTup);
            System.arraycopy(p, oldTup + oldHoff, body, w, prefixLen);
            w += prefixLen;
            System.arraycopy(rec, pos + bitmapLen, body, w, tupLen - bitmapLen);
            w += tupLen - bitmapLen;
        } else {
            System.arraycopy(rec, pos, body, 0, tupLen);
            w = tupLen;
        }
        if (suffixLen > 0) {
            System.arraycopy(p, oldTup + oldLen - suffixLen, body, w, suffixLen);
        }
        byte[] tup = newTuple(rec, hdr, body, 0, body.length, r.record().xid(), newBlk, newOffnum);
        HeapTuple.setXmax(tup, 0, newXmax);
        if (page.addItem(tup, 0, tup.length, newOffnum, true, true) == 0) {
            throw r.fail("failed to add tuple at offset " + newOffnum);
        }
        if ((flags & UPDATE_NEW_ALL_VISIBLE_CLEARED) != 0) {
            page.clearFlag(Page.PD_ALL_VISIBLE);
        }
        page.setLsn(r.lsn());
    }

    private static void confirm(BlockRedo r) {
        int offnum = Page.u16(r.mainData(2), 0);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        r.checkItem(offnum, true);
        HeapTuple.setCtid(r.bytes(), r.page().lpOff(offnum), r.block(0).blockNumber(), offnum);
        r.page().setLsn(r.lsn());
    }

    private static void lock(BlockRedo r) {
        byte[] main = r.mainData(8);
        int lockingXid = Page.i32(main, 0);
        int offnum = Page.u16(main, 4);
        int infobits = main[6] & 0xFF;
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] p = r.bytes();
        r.checkItem(offnum, true);
        int t = r.page().lpOff(offnum);
        clearXmaxBits(p, t);
        fixInfomaskFromInfobits(p, t, infobits);
        if (HeapTuple.xmaxIsLockedOnly(HeapTuple.infomask(p, t))) {
            setHotUpdated(p, t, false);
            HeapTuple.setCtid(p, t, r.block(0).blockNumber(), offnum);
        }
        HeapTuple.setXmax(p, t, lockingXid);
        HeapTuple.setCmaxNotCombo(p, t, 0);
        r.page().setLsn(r.lsn());
    }

    private static void inplace(BlockRedo r) {
        int offnum = Page.u16(r.mainData(2), 0);
        if (r.read(0) != Action.NEEDS_REDO) {
            return;
        }
        byte[] p = r.bytes();
        byte[] newTup = r.data(0);
        r.checkItem(offnum, true);
        int t = r.page().lpOff(offnum);
        int hoff = HeapTuple.hoff(p, t);
        int oldLen = r.page().lpLen(offnum) - hoff;
        if (oldLen != newTup.length) {
            throw r.fail("wrong tuple length: in-place data " + newTup.length + " bytes, tuple has " + oldLen);
        }
        System.arraycopy(newTup, 0, p, t + hoff, newTup.length);
        r.page().setLsn(r.lsn());
    }
}
