package io.storageengine.postgres.redo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A view over one PostgreSQL 8 KiB page ({@code byte[8192]}, little-endian as on x86-64), with
 * the page primitives of PostgreSQL 15's {@code bufpage.c} that redo needs: header fields,
 * {@code PageInit}, line pointers, {@code PageAddItemExtended} (overwrite and is_heap flags) and the
 * free-space functions; the item-moving ones are in {@link PageItems}. Each one changes exactly
 * the bytes PostgreSQL's does (bytes it leaves alone keep their old value), so redo is byte-exact.
 *
 * <p>Layout (PageHeaderData, 24 bytes): pd_lsn (u32 xlogid, u32 xrecoff) at 0, pd_checksum u16 at
 * 8, pd_flags u16 at 10, pd_lower 12, pd_upper 14, pd_special 16, pd_pagesize_version 18,
 * pd_prune_xid u32 at 20, then the line pointers (4 bytes each: lp_off 15 bits, lp_flags 2 bits,
 * lp_len 15 bits, low bits first).
 *
 * <p>Corruption that PostgreSQL reports with ERROR or PANIC throws {@link PageException}.
 * Not thread-safe: a view is used by one redo at a time.
 */
public final class Page {

    public static final int SIZE = 8192;
    public static final int HEADER_SIZE = 24;
    public static final int ITEM_ID_SIZE = 4;
    public static final int LAYOUT_VERSION = 4;

    public static final int PD_HAS_FREE_LINES = 0x0001;
    public static final int PD_PAGE_FULL = 0x0002;
    public static final int PD_ALL_VISIBLE = 0x0004;

    public static final int LP_UNUSED = 0;
    public static final int LP_NORMAL = 1;
    public static final int LP_REDIRECT = 2;
    public static final int LP_DEAD = 3;

    /** MaxHeapTuplesPerPage for 8 KiB pages. */
    public static final int MAX_HEAP_TUPLES_PER_PAGE = (SIZE - HEADER_SIZE) / (24 + ITEM_ID_SIZE);
    /** MaxIndexTuplesPerPage for 8 KiB pages. */
    public static final int MAX_INDEX_TUPLES_PER_PAGE = (SIZE - HEADER_SIZE) / (8 + ITEM_ID_SIZE);

    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] b;

    public Page(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("a page is " + SIZE + " bytes, got " + bytes.length);
        }
        this.b = bytes;
    }

    public byte[] bytes() {
        return b;
    }

    // ---- raw little-endian access ----

    public static int u16(byte[] a, int off) {
        return (short) U16.get(a, off) & 0xFFFF;
    }

    public static void setU16(byte[] a, int off, int v) {
        U16.set(a, off, (short) v);
    }

    public static int i32(byte[] a, int off) {
        return (int) U32.get(a, off);
    }

    public static void setI32(byte[] a, int off, int v) {
        U32.set(a, off, v);
    }

    public static int maxAlign(int n) {
        return (n + 7) & ~7;
    }

    public static boolean isAllZero(byte[] a) {
        for (int i = 0; i < a.length; i += 4) {
            if ((int) U32.get(a, i) != 0) {
                return false;
            }
        }
        return true;
    }

    // ---- header ----

    public long lsn() {
        return ((long) i32(b, 0) << 32) | (i32(b, 4) & 0xFFFFFFFFL);
    }

    public void setLsn(long lsn) {
        setI32(b, 0, (int) (lsn >>> 32));
        setI32(b, 4, (int) lsn);
    }

    public int checksum() {
        return u16(b, 8);
    }

    public void setChecksum(int v) {
        setU16(b, 8, v);
    }

    public int flags() {
        return u16(b, 10);
    }

    public void setFlags(int v) {
        setU16(b, 10, v);
    }

    public void setFlag(int flag) {
        setFlags(flags() | flag);
    }

    public void clearFlag(int flag) {
        setFlags(flags() & ~flag);
    }

    public int lower() {
        return u16(b, 12);
    }

    public void setLower(int v) {
        setU16(b, 12, v);
    }

    public int upper() {
        return u16(b, 14);
    }

    public void setUpper(int v) {
        setU16(b, 14, v);
    }

    public int special() {
        return u16(b, 16);
    }

    public int pageSizeVersion() {
        return u16(b, 18);
    }

    public int pruneXid() {
        return i32(b, 20);
    }

    public void setPruneXid(int xid) {
        setI32(b, 20, xid);
    }

    /** PageIsNew: pd_upper is zero (an all-zero page is new). */
    public boolean isNew() {
        return upper() == 0;
    }

    /** PageIsEmpty: no line pointers. */
    public boolean isEmpty() {
        return lower() <= HEADER_SIZE;
    }

    /** PageSetPrunable: keep the oldest normal xid (modulo-2^32 comparison as TransactionIdPrecedes). */
    public void setPrunable(int xid) {
        int cur = pruneXid();
        if (cur == 0 || Xid.precedes(xid, cur)) {
            setPruneXid(xid);
        }
    }

    /** PageInit: zero the page, then set lower, upper, special and size/version. */
    public void init(int specialSize) {
        int special = maxAlign(specialSize);
        Arrays.fill(b, (byte) 0);
        setLower(HEADER_SIZE);
        setUpper(SIZE - special);
        setU16(b, 16, SIZE - special);
        setU16(b, 18, SIZE | LAYOUT_VERSION);
    }

    // ---- line pointers ----

    public int maxOffset() {
        int lower = lower();
        return lower <= HEADER_SIZE ? 0 : (lower - HEADER_SIZE) / ITEM_ID_SIZE;
    }

    public static int itemIdPos(int offnum) {
        return HEADER_SIZE + (offnum - 1) * ITEM_ID_SIZE;
    }

    public int itemId(int offnum) {
        return i32(b, itemIdPos(offnum));
    }

    public int lpOff(int offnum) {
        return itemId(offnum) & 0x7FFF;
    }

    public int lpFlags(int offnum) {
        return (itemId(offnum) >>> 15) & 3;
    }

    public int lpLen(int offnum) {
        return (itemId(offnum) >>> 17) & 0x7FFF;
    }

    public void setItemId(int offnum, int off, int flags, int len) {
        setI32(b, itemIdPos(offnum), (off & 0x7FFF) | ((flags & 3) << 15) | ((len & 0x7FFF) << 17));
    }

    public boolean lpIsUsed(int offnum) {
        return lpFlags(offnum) != LP_UNUSED;
    }

    public boolean lpIsNormal(int offnum) {
        return lpFlags(offnum) == LP_NORMAL;
    }

    public boolean lpHasStorage(int offnum) {
        return lpLen(offnum) != 0;
    }

    public void setUnused(int offnum) {
        setItemId(offnum, 0, LP_UNUSED, 0);
    }

    public void setDead(int offnum) {
        setItemId(offnum, 0, LP_DEAD, 0);
    }

    public void setRedirect(int offnum, int target) {
        setItemId(offnum, target, LP_REDIRECT, 0);
    }

    /** ItemIdMarkDead: only the flags change; offset and length stay. */
    public void markDead(int offnum) {
        setItemId(offnum, lpOff(offnum), LP_DEAD, lpLen(offnum));
    }

    /**
     * PageAddItemExtended. Returns the offset number used, or 0 (InvalidOffsetNumber) where
     * PostgreSQL returns it (a used slot with overwrite, an offset beyond max+1, no room).
     */
    public int addItem(byte[] item, int itemOff, int size, int offsetNumber, boolean overwrite, boolean isHeap) {
        int lower0 = lower();
        int upper0 = upper();
        int special = special();
        if (lower0 < HEADER_SIZE || lower0 > upper0 || upper0 > special || special > SIZE) {
            throw new PageException("corrupted page pointers: lower = " + lower0 + ", upper = " + upper0
                    + ", special = " + special);
        }
        int limit = maxOffset() + 1;
        boolean needShuffle = false;
        if (offsetNumber != 0) {
            if (overwrite) {
                if (offsetNumber < limit && (lpIsUsed(offsetNumber) || lpHasStorage(offsetNumber))) {
                    return 0;
                }
            } else if (offsetNumber < limit) {
                needShuffle = true;
            }
        } else if ((flags() & PD_HAS_FREE_LINES) != 0) {
            for (offsetNumber = 1; offsetNumber < limit; offsetNumber++) {
                if (!lpIsUsed(offsetNumber) && !lpHasStorage(offsetNumber)) {
                    break;
                }
            }
            if (offsetNumber >= limit) {
                clearFlag(PD_HAS_FREE_LINES);
            }
        } else {
            offsetNumber = limit;
        }
        if (offsetNumber > limit) {
            return 0;
        }
        if (isHeap && offsetNumber > MAX_HEAP_TUPLES_PER_PAGE) {
            return 0;
        }
        int lower = (offsetNumber == limit || needShuffle) ? lower0 + ITEM_ID_SIZE : lower0;
        int upper = upper0 - maxAlign(size);
        if (lower > upper) {
            return 0;
        }
        if (needShuffle) {
            int pos = itemIdPos(offsetNumber);
            System.arraycopy(b, pos, b, pos + ITEM_ID_SIZE, (limit - offsetNumber) * ITEM_ID_SIZE);
        }
        setItemId(offsetNumber, upper, LP_NORMAL, size);
        System.arraycopy(item, itemOff, b, upper, size);
        setLower(lower);
        setUpper(upper);
        return offsetNumber;
    }

    void checkPointers(String what) {
        int lower = lower();
        int upper = upper();
        int special = special();
        if (lower < HEADER_SIZE || lower > upper || upper > special || special > SIZE
                || special != maxAlign(special)) {
            throw new PageException(what + ": corrupted page pointers: lower = " + lower + ", upper = " + upper
                    + ", special = " + special);
        }
    }

    /** PageGetFreeSpace. */
    public int freeSpace() {
        int space = upper() - lower();
        return space < ITEM_ID_SIZE ? 0 : space - ITEM_ID_SIZE;
    }

    /** PageGetExactFreeSpace. */
    public int exactFreeSpace() {
        return Math.max(0, upper() - lower());
    }

    /** PageGetHeapFreeSpace. */
    public int heapFreeSpace() {
        int space = freeSpace();
        if (space > 0) {
            int nline = maxOffset();
            if (nline >= MAX_HEAP_TUPLES_PER_PAGE) {
                if ((flags() & PD_HAS_FREE_LINES) != 0) {
                    int off = 1;
                    while (off <= nline && lpIsUsed(off)) {
                        off++;
                    }
                    if (off > nline) {
                        space = 0;
                    }
                } else {
                    space = 0;
                }
            }
        }
        return space;
    }

}
