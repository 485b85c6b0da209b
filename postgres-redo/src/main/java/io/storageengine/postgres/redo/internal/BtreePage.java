package io.storageengine.postgres.redo.internal;

/**
 * B-tree page layout (PostgreSQL 15 {@code nbtree.h}): the opaque area at pd_special
 * (btpo_prev u32, btpo_next u32, btpo_level u32, btpo_flags u16, btpo_cycleid u16), the flag
 * bits, and the metapage fields. Stateless helpers over a page's bytes.
 */
public final class BtreePage {

    public static final int OPAQUE_SIZE = 16;

    public static final int BTP_LEAF = 1 << 0;
    public static final int BTP_ROOT = 1 << 1;
    public static final int BTP_DELETED = 1 << 2;
    public static final int BTP_META = 1 << 3;
    public static final int BTP_HALF_DEAD = 1 << 4;
    public static final int BTP_SPLIT_END = 1 << 5;
    public static final int BTP_HAS_GARBAGE = 1 << 6;
    public static final int BTP_INCOMPLETE_SPLIT = 1 << 7;
    public static final int BTP_HAS_FULLXID = 1 << 8;

    public static final int P_NONE = 0;
    public static final int P_HIKEY = 1;

    private BtreePage() {
    }

    public static int opaque(byte[] page) {
        return new Page(page).special();
    }

    public static int prev(byte[] page) {
        return Page.i32(page, opaque(page));
    }

    public static void setPrev(byte[] page, int blk) {
        Page.setI32(page, opaque(page), blk);
    }

    public static int next(byte[] page) {
        return Page.i32(page, opaque(page) + 4);
    }

    public static void setNext(byte[] page, int blk) {
        Page.setI32(page, opaque(page) + 4, blk);
    }

    public static int level(byte[] page) {
        return Page.i32(page, opaque(page) + 8);
    }

    public static void setLevel(byte[] page, int level) {
        Page.setI32(page, opaque(page) + 8, level);
    }

    public static int flags(byte[] page) {
        return Page.u16(page, opaque(page) + 12);
    }

    public static void setFlags(byte[] page, int flags) {
        Page.setU16(page, opaque(page) + 12, flags);
    }

    public static void setCycleId(byte[] page, int id) {
        Page.setU16(page, opaque(page) + 14, id);
    }

    public static boolean isRightmost(byte[] page) {
        return next(page) == P_NONE;
    }

    /** P_FIRSTDATAKEY: 1 on the rightmost page of a level, else 2 (after the high key). */
    public static int firstDataKey(byte[] page) {
        return isRightmost(page) ? P_HIKEY : P_HIKEY + 1;
    }

    /** _bt_pageinit: PageInit with the opaque area as special space. */
    public static void pageInit(byte[] page) {
        new Page(page).init(OPAQUE_SIZE);
    }
}
