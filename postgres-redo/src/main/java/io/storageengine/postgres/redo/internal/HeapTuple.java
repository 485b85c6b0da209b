package io.storageengine.postgres.redo.internal;

/**
 * Field access to a heap tuple header (HeapTupleHeaderData) at an offset of a byte array, and the
 * infomask bits redo and masking use. Layout: t_xmin u32 at 0, t_xmax u32 at 4, t_cid/t_xvac u32
 * at 8, t_ctid at 12 (block as two u16 halves, high first, then u16 offset), t_infomask2 u16 at
 * 18, t_infomask u16 at 20, t_hoff u8 at 22, null bitmap from 23. Stateless.
 */
public final class HeapTuple {

    public static final int HEADER_SIZE = 23;

    public static final int HEAP_COMBOCID = 0x0020;
    public static final int HEAP_XMAX_KEYSHR_LOCK = 0x0010;
    public static final int HEAP_XMAX_EXCL_LOCK = 0x0040;
    public static final int HEAP_XMAX_LOCK_ONLY = 0x0080;
    public static final int HEAP_XMAX_SHR_LOCK = HEAP_XMAX_EXCL_LOCK | HEAP_XMAX_KEYSHR_LOCK;
    public static final int HEAP_LOCK_MASK = HEAP_XMAX_SHR_LOCK | HEAP_XMAX_EXCL_LOCK | HEAP_XMAX_KEYSHR_LOCK;
    public static final int HEAP_XMIN_COMMITTED = 0x0100;
    public static final int HEAP_XMIN_INVALID = 0x0200;
    public static final int HEAP_XMIN_FROZEN = HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID;
    public static final int HEAP_XMAX_COMMITTED = 0x0400;
    public static final int HEAP_XMAX_INVALID = 0x0800;
    public static final int HEAP_XMAX_IS_MULTI = 0x1000;
    public static final int HEAP_MOVED = 0x4000 | 0x8000;
    public static final int HEAP_XACT_MASK = 0xFFF0;
    public static final int HEAP_XMAX_BITS = HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI
            | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY;

    public static final int HEAP_KEYS_UPDATED = 0x2000;
    public static final int HEAP_HOT_UPDATED = 0x4000;

    /** ip_posid of a speculative insertion's token (SpecTokenOffsetNumber). */
    public static final int SPEC_TOKEN_OFFSET = 0xFFFE;
    public static final int MOVED_PARTITIONS_OFFSET = 0xFFFD;
    public static final int INVALID_BLOCK = 0xFFFFFFFF;

    private HeapTuple() {
    }

    public static int xmin(byte[] a, int t) {
        return Page.i32(a, t);
    }

    public static void setXmin(byte[] a, int t, int xid) {
        Page.setI32(a, t, xid);
    }

    public static void setXmax(byte[] a, int t, int xid) {
        Page.setI32(a, t + 4, xid);
    }

    public static void setCid(byte[] a, int t, int cid) {
        Page.setI32(a, t + 8, cid);
    }

    public static int infomask(byte[] a, int t) {
        return Page.u16(a, t + 20);
    }

    public static void setInfomask(byte[] a, int t, int v) {
        Page.setU16(a, t + 20, v);
    }

    public static int infomask2(byte[] a, int t) {
        return Page.u16(a, t + 18);
    }

    public static void setInfomask2(byte[] a, int t, int v) {
        Page.setU16(a, t + 18, v);
    }

    public static int hoff(byte[] a, int t) {
        return a[t + 22] & 0xFF;
    }

    public static void setHoff(byte[] a, int t, int v) {
        a[t + 22] = (byte) v;
    }

    public static void setCtid(byte[] a, int t, int block, int offnum) {
        Page.setU16(a, t + 12, block >>> 16);
        Page.setU16(a, t + 14, block & 0xFFFF);
        Page.setU16(a, t + 16, offnum);
    }

    public static int ctidOffset(byte[] a, int t) {
        return Page.u16(a, t + 16);
    }

    /** HeapTupleHeaderSetCmin: t_cid, and HEAP_COMBOCID cleared. */
    public static void setCmin(byte[] a, int t, int cid) {
        setCid(a, t, cid);
        setInfomask(a, t, infomask(a, t) & ~HEAP_COMBOCID);
    }

    /** HeapTupleHeaderSetCmax(tup, cid, false). */
    public static void setCmaxNotCombo(byte[] a, int t, int cid) {
        setCid(a, t, cid);
        setInfomask(a, t, infomask(a, t) & ~HEAP_COMBOCID);
    }

    public static boolean xminFrozen(byte[] a, int t) {
        return (infomask(a, t) & HEAP_XMIN_FROZEN) == HEAP_XMIN_FROZEN;
    }

    public static boolean isSpeculative(byte[] a, int t) {
        return ctidOffset(a, t) == SPEC_TOKEN_OFFSET;
    }

    /** HEAP_XMAX_IS_LOCKED_ONLY. */
    public static boolean xmaxIsLockedOnly(int infomask) {
        return (infomask & HEAP_XMAX_LOCK_ONLY) != 0
                || (infomask & (HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK)) == HEAP_XMAX_EXCL_LOCK;
    }
}
