package io.storageengine.postgres.redo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A view over one PostgreSQL 8 KiB page ({@code byte[8192]}, little-endian as on x86-64), with
 * the page primitives of PostgreSQL 15's {@code bufpage.c} that redo needs: header fields,
 * {@code PageInit}, line pointers, {@code PageAddItemExtended}, {@code PageRepairFragmentation},
 * {@code PageIndexTupleDelete}, {@code PageIndexMultiDelete}, {@code PageIndexTupleOverwrite},
 * {@code PageTruncateLinePointerArray} and the free-space functions. Each one changes exactly the
 * bytes PostgreSQL's does (bytes it leaves alone keep their old value), so redo is byte-exact.
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

    private void checkPointers(String what) {
        int lower = lower();
        int upper = upper();
        int special = special();
        if (lower < HEADER_SIZE || lower > upper || upper > special || special > SIZE
                || special != maxAlign(special)) {
            throw new PageException(what + ": corrupted page pointers: lower = " + lower + ", upper = " + upper
                    + ", special = " + special);
        }
    }

    /**
     * compactify_tuples: items (line pointer index, old offset, aligned length), in line pointer
     * order, are packed down from pd_special in that order; bytes below the new pd_upper keep
     * their old values, as in PostgreSQL (whichever of its copy strategies it picks).
     */
    private void compactify(int[] index, int[] itemOff, int[] alignedLen, int n) {
        byte[] scratch = b.clone();
        int upper = special();
        for (int i = 0; i < n; i++) {
            upper -= alignedLen[i];
            System.arraycopy(scratch, itemOff[i], b, upper, alignedLen[i]);
            int pos = HEADER_SIZE + index[i] * ITEM_ID_SIZE;
            int v = i32(b, pos);
            setI32(b, pos, (v & ~0x7FFF) | upper);
        }
        setUpper(upper);
    }

    /** PageRepairFragmentation (heap pages). */
    public void repairFragmentation() {
        checkPointers("PageRepairFragmentation");
        int upper0 = upper();
        int special = special();
        int nline = maxOffset();
        int[] index = new int[nline];
        int[] off = new int[nline];
        int[] len = new int[nline];
        int nstorage = 0;
        int nunused = 0;
        int totalLen = 0;
        int finalUsed = 0;
        for (int i = 1; i <= nline; i++) {
            if (lpIsUsed(i)) {
                if (lpHasStorage(i)) {
                    int itemoff = lpOff(i);
                    if (itemoff < upper0 || itemoff >= special) {
                        throw new PageException("corrupted line pointer: " + itemoff);
                    }
                    index[nstorage] = i - 1;
                    off[nstorage] = itemoff;
                    len[nstorage] = maxAlign(lpLen(i));
                    totalLen += len[nstorage];
                    nstorage++;
                }
                finalUsed = i;
            } else {
                setUnused(i);
                nunused++;
            }
        }
        if (nstorage == 0) {
            setUpper(special);
        } else {
            if (totalLen > special - lower()) {
                throw new PageException("corrupted item lengths: total " + totalLen + ", available space "
                        + (special - lower()));
            }
            compactify(index, off, len, nstorage);
        }
        if (finalUsed != nline) {
            int nunusedEnd = nline - finalUsed;
            nunused -= nunusedEnd;
            setLower(lower() - ITEM_ID_SIZE * nunusedEnd);
        }
        if (nunused > 0) {
            setFlag(PD_HAS_FREE_LINES);
        } else {
            clearFlag(PD_HAS_FREE_LINES);
        }
    }

    /** PageTruncateLinePointerArray (heap VACUUM's second pass). */
    public void truncateLinePointerArray() {
        boolean countDone = false;
        boolean setHint = false;
        int nunusedEnd = 0;
        for (int i = maxOffset(); i >= 1; i--) {
            if (!countDone && i > 1) {
                if (!lpIsUsed(i)) {
                    nunusedEnd++;
                } else {
                    countDone = true;
                }
            } else if (!lpIsUsed(i)) {
                setHint = true;
                break;
            }
        }
        if (nunusedEnd > 0) {
            setLower(lower() - ITEM_ID_SIZE * nunusedEnd);
        }
        if (setHint) {
            setFlag(PD_HAS_FREE_LINES);
        } else {
            clearFlag(PD_HAS_FREE_LINES);
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

    private int checkIndexItem(int offnum, String what) {
        checkPointers(what);
        int nline = maxOffset();
        if (offnum <= 0 || offnum > nline) {
            throw new PageException(what + ": invalid index offnum: " + offnum + " (max " + nline + ")");
        }
        int size = lpLen(offnum);
        int offset = lpOff(offnum);
        if (offset < upper() || offset + size > special() || offset != maxAlign(offset)) {
            throw new PageException(what + ": corrupted line pointer: offset = " + offset + ", size = " + size);
        }
        return nline;
    }

    /** PageIndexTupleDelete: removes the item and its line pointer, closing both gaps. */
    public void indexTupleDelete(int offnum) {
        int nline = checkIndexItem(offnum, "PageIndexTupleDelete");
        int offset = lpOff(offnum);
        int size = maxAlign(lpLen(offnum));
        int from = itemIdPos(offnum + 1);
        int nbytes = lower() - from;
        if (nbytes > 0) {
            System.arraycopy(b, from, b, from - ITEM_ID_SIZE, nbytes);
        }
        int upper = upper();
        if (offset > upper) {
            System.arraycopy(b, upper, b, upper + size, offset - upper);
        }
        setUpper(upper + size);
        setLower(lower() - ITEM_ID_SIZE);
        if (!isEmpty()) {
            nline--;
            for (int i = 1; i <= nline; i++) {
                int o = lpOff(i);
                if (o <= offset) {
                    int pos = itemIdPos(i);
                    int v = i32(b, pos);
                    setI32(b, pos, (v & ~0x7FFF) | ((o + size) & 0x7FFF));
                }
            }
        }
    }

    /** PageIndexMultiDelete: {@code itemnos} sorted ascending. */
    public void indexMultiDelete(int[] itemnos, int nitems) {
        if (nitems <= 2) {
            while (--nitems >= 0) {
                indexTupleDelete(itemnos[nitems]);
            }
            return;
        }
        checkPointers("PageIndexMultiDelete");
        int upper0 = upper();
        int special = special();
        int nline = maxOffset();
        int[] index = new int[nline];
        int[] off = new int[nline];
        int[] len = new int[nline];
        int[] newIds = new int[nline];
        int nused = 0;
        int next = 0;
        int total = 0;
        for (int offnum = 1; offnum <= nline; offnum++) {
            int size = lpLen(offnum);
            int offset = lpOff(offnum);
            if (offset < upper0 || offset + size > special || offset != maxAlign(offset)) {
                throw new PageException("PageIndexMultiDelete: corrupted line pointer: offset = " + offset
                        + ", size = " + size);
            }
            if (next < nitems && offnum == itemnos[next]) {
                next++;
            } else {
                index[nused] = nused;
                off[nused] = offset;
                len[nused] = maxAlign(size);
                total += len[nused];
                newIds[nused] = itemId(offnum);
                nused++;
            }
        }
        if (next != nitems) {
            throw new PageException("incorrect index offsets supplied");
        }
        if (total > special - lower()) {
            throw new PageException("corrupted item lengths: total " + total + ", available space "
                    + (special - lower()));
        }
        for (int i = 0; i < nused; i++) {
            setI32(b, HEADER_SIZE + i * ITEM_ID_SIZE, newIds[i]);
        }
        setLower(HEADER_SIZE + nused * ITEM_ID_SIZE);
        if (nused > 0) {
            compactify(index, off, len, nused);
        } else {
            setUpper(special);
        }
    }

    /** PageIndexTupleOverwrite: replaces an item in place; false when it does not fit. */
    public boolean indexTupleOverwrite(int offnum, byte[] tup, int tupOff, int newSize) {
        int itemCount = checkIndexItem(offnum, "PageIndexTupleOverwrite");
        int offset = lpOff(offnum);
        int oldSize = maxAlign(lpLen(offnum));
        int alignedNew = maxAlign(newSize);
        if (alignedNew > oldSize + (upper() - lower())) {
            return false;
        }
        int diff = oldSize - alignedNew;
        if (diff != 0) {
            int upper = upper();
            System.arraycopy(b, upper, b, upper + diff, offset - upper);
            setUpper(upper + diff);
            for (int i = 1; i <= itemCount; i++) {
                if (lpHasStorage(i) && lpOff(i) <= offset) {
                    int pos = itemIdPos(i);
                    int v = i32(b, pos);
                    setI32(b, pos, (v & ~0x7FFF) | ((lpOff(i) + diff) & 0x7FFF));
                }
            }
        }
        int flags = lpFlags(offnum);
        setItemId(offnum, offset + diff, flags, newSize);
        System.arraycopy(tup, tupOff, b, offset + diff, newSize);
        return true;
    }
}
