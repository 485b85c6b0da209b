package io.storageengine.postgres.redo.internal;

/**
 * The item-moving page primitives of PostgreSQL 15's {@code bufpage.c}: {@code
 * PageRepairFragmentation} (heap), {@code PageTruncateLinePointerArray}, and the index page
 * operations {@code PageIndexTupleDelete}, {@code PageIndexMultiDelete},
 * {@code PageIndexTupleOverwrite}, with {@code compactify_tuples}. Bytes PostgreSQL leaves alone
 * keep their old values. Corruption PostgreSQL reports throws {@link PageException}. Stateless.
 */
public final class PageItems {

    private PageItems() {
    }

    /**
     * compactify_tuples: items (line pointer index, old offset, aligned length), in line pointer
     * order, are packed down from pd_special in that order; bytes below the new pd_upper keep
     * their old values, as in PostgreSQL (whichever of its copy strategies it picks). As
     * PostgreSQL, when the items' offsets already descend in line pointer order ("presorted", the
     * usual case) they move in place, each run of items adjacent both before and after in one
     * copy; otherwise they are copied from a scratch copy of the tuple area.
     */
    private static void compactify(Page p, int[] index, int[] itemOff, int[] alignedLen, int n) {
        byte[] b = p.bytes();
        int special = p.special();
        boolean presorted = true;
        for (int i = 1; i < n && presorted; i++) {
            presorted = itemOff[i] < itemOff[i - 1];
        }
        int upper = special;
        if (presorted) {
            int runSrc = 0; // the current run: source start, destination start, length
            int runDst = 0;
            int runLen = 0;
            for (int i = 0; i < n; i++) {
                upper -= alignedLen[i];
                if (runLen > 0 && itemOff[i] + alignedLen[i] == runSrc) {
                    runSrc = itemOff[i];
                    runDst = upper;
                    runLen += alignedLen[i];
                } else {
                    if (runLen > 0 && runSrc != runDst) {
                        System.arraycopy(b, runSrc, b, runDst, runLen);
                    }
                    runSrc = itemOff[i];
                    runDst = upper;
                    runLen = alignedLen[i];
                }
                setOffset(b, index[i], upper);
            }
            if (runLen > 0 && runSrc != runDst) {
                System.arraycopy(b, runSrc, b, runDst, runLen);
            }
        } else {
            int from = p.upper();
            byte[] scratch = java.util.Arrays.copyOfRange(b, from, special);
            for (int i = 0; i < n; i++) {
                upper -= alignedLen[i];
                System.arraycopy(scratch, itemOff[i] - from, b, upper, alignedLen[i]);
                setOffset(b, index[i], upper);
            }
        }
        p.setUpper(upper);
    }

    private static void setOffset(byte[] b, int index, int off) {
        int pos = Page.HEADER_SIZE + index * Page.ITEM_ID_SIZE;
        Page.setI32(b, pos, (Page.i32(b, pos) & ~0x7FFF) | off);
    }

    /** PageRepairFragmentation (heap pages). */
    public static void repairFragmentation(Page p) {
        p.checkPointers("PageRepairFragmentation");
        int upper0 = p.upper();
        int special = p.special();
        int nline = p.maxOffset();
        int[] index = new int[nline];
        int[] off = new int[nline];
        int[] len = new int[nline];
        int nstorage = 0;
        int nunused = 0;
        int totalLen = 0;
        int finalUsed = 0;
        for (int i = 1; i <= nline; i++) {
            if (p.lpIsUsed(i)) {
                if (p.lpHasStorage(i)) {
                    int itemoff = p.lpOff(i);
                    if (itemoff < upper0 || itemoff >= special) {
                        throw new PageException("corrupted line pointer: " + itemoff);
                    }
                    index[nstorage] = i - 1;
                    off[nstorage] = itemoff;
                    len[nstorage] = Page.maxAlign(p.lpLen(i));
                    totalLen += len[nstorage];
                    nstorage++;
                }
                finalUsed = i;
            } else {
                p.setUnused(i);
                nunused++;
            }
        }
        if (nstorage == 0) {
            p.setUpper(special);
        } else {
            if (totalLen > special - p.lower()) {
                throw new PageException("corrupted item lengths: total " + totalLen + ", available space "
                        + (special - p.lower()));
            }
            compactify(p, index, off, len, nstorage);
        }
        if (finalUsed != nline) {
            int nunusedEnd = nline - finalUsed;
            nunused -= nunusedEnd;
            p.setLower(p.lower() - Page.ITEM_ID_SIZE * nunusedEnd);
        }
        if (nunused > 0) {
            p.setFlag(Page.PD_HAS_FREE_LINES);
        } else {
            p.clearFlag(Page.PD_HAS_FREE_LINES);
        }
    }

    /** PageTruncateLinePointerArray (heap VACUUM's second pass). */
    public static void truncateLinePointerArray(Page p) {
        boolean countDone = false;
        boolean setHint = false;
        int nunusedEnd = 0;
        for (int i = p.maxOffset(); i >= 1; i--) {
            if (!countDone && i > 1) {
                if (!p.lpIsUsed(i)) {
                    nunusedEnd++;
                } else {
                    countDone = true;
                }
            } else if (!p.lpIsUsed(i)) {
                setHint = true;
                break;
            }
        }
        if (nunusedEnd > 0) {
            p.setLower(p.lower() - Page.ITEM_ID_SIZE * nunusedEnd);
        }
        if (setHint) {
            p.setFlag(Page.PD_HAS_FREE_LINES);
        } else {
            p.clearFlag(Page.PD_HAS_FREE_LINES);
        }
    }

    private static int checkIndexItem(Page p, int offnum, String what) {
        p.checkPointers(what);
        int nline = p.maxOffset();
        if (offnum <= 0 || offnum > nline) {
            throw new PageException(what + ": invalid index offnum: " + offnum + " (max " + nline + ")");
        }
        int size = p.lpLen(offnum);
        int offset = p.lpOff(offnum);
        if (offset < p.upper() || offset + size > p.special() || offset != Page.maxAlign(offset)) {
            throw new PageException(what + ": corrupted line pointer: offset = " + offset + ", size = " + size);
        }
        return nline;
    }

    /** PageIndexTupleDelete: removes the item and its line pointer, closing both gaps. */
    public static void indexTupleDelete(Page p, int offnum) {
        byte[] b = p.bytes();
        int nline = checkIndexItem(p, offnum, "PageIndexTupleDelete");
        int offset = p.lpOff(offnum);
        int size = Page.maxAlign(p.lpLen(offnum));
        int from = Page.itemIdPos(offnum + 1);
        int nbytes = p.lower() - from;
        if (nbytes > 0) {
            System.arraycopy(b, from, b, from - Page.ITEM_ID_SIZE, nbytes);
        }
        int upper = p.upper();
        if (offset > upper) {
            System.arraycopy(b, upper, b, upper + size, offset - upper);
        }
        p.setUpper(upper + size);
        p.setLower(p.lower() - Page.ITEM_ID_SIZE);
        if (!p.isEmpty()) {
            nline--;
            for (int i = 1; i <= nline; i++) {
                int o = p.lpOff(i);
                if (o <= offset) {
                    int pos = Page.itemIdPos(i);
                    int v = Page.i32(b, pos);
                    Page.setI32(b, pos, (v & ~0x7FFF) | ((o + size) & 0x7FFF));
                }
            }
        }
    }

    /** PageIndexMultiDelete: {@code itemnos} sorted ascending. */
    public static void indexMultiDelete(Page p, int[] itemnos, int nitems) {
        byte[] b = p.bytes();
        if (nitems <= 2) {
            while (--nitems >= 0) {
                indexTupleDelete(p, itemnos[nitems]);
            }
            return;
        }
        p.checkPointers("PageIndexMultiDelete");
        int upper0 = p.upper();
        int special = p.special();
        int nline = p.maxOffset();
        int[] index = new int[nline];
        int[] off = new int[nline];
        int[] len = new int[nline];
        int[] newIds = new int[nline];
        int nused = 0;
        int next = 0;
        int total = 0;
        for (int offnum = 1; offnum <= nline; offnum++) {
            int size = p.lpLen(offnum);
            int offset = p.lpOff(offnum);
            if (offset < upper0 || offset + size > special || offset != Page.maxAlign(offset)) {
                throw new PageException("PageIndexMultiDelete: corrupted line pointer: offset = " + offset
                        + ", size = " + size);
            }
            if (next < nitems && offnum == itemnos[next]) {
                next++;
            } else {
                index[nused] = nused;
                off[nused] = offset;
                len[nused] = Page.maxAlign(size);
                total += len[nused];
                newIds[nused] = p.itemId(offnum);
                nused++;
            }
        }
        if (next != nitems) {
            throw new PageException("incorrect index offsets supplied");
        }
        if (total > special - p.lower()) {
            throw new PageException("corrupted item lengths: total " + total + ", available space "
                    + (special - p.lower()));
        }
        for (int i = 0; i < nused; i++) {
            Page.setI32(b, Page.HEADER_SIZE + i * Page.ITEM_ID_SIZE, newIds[i]);
        }
        p.setLower(Page.HEADER_SIZE + nused * Page.ITEM_ID_SIZE);
        if (nused > 0) {
            compactify(p, index, off, len, nused);
        } else {
            p.setUpper(special);
        }
    }

    /** PageIndexTupleOverwrite: replaces an item in place; false when it does not fit. */
    public static boolean indexTupleOverwrite(Page p, int offnum, byte[] tup, int tupOff, int newSize) {
        byte[] b = p.bytes();
        int itemCount = checkIndexItem(p, offnum, "PageIndexTupleOverwrite");
        int offset = p.lpOff(offnum);
        int oldSize = Page.maxAlign(p.lpLen(offnum));
        int alignedNew = Page.maxAlign(newSize);
        if (alignedNew > oldSize + (p.upper() - p.lower())) {
            return false;
        }
        int diff = oldSize - alignedNew;
        if (diff != 0) {
            int upper = p.upper();
            System.arraycopy(b, upper, b, upper + diff, offset - upper);
            p.setUpper(upper + diff);
            for (int i = 1; i <= itemCount; i++) {
                if (p.lpHasStorage(i) && p.lpOff(i) <= offset) {
                    int pos = Page.itemIdPos(i);
                    int v = Page.i32(b, pos);
                    Page.setI32(b, pos, (v & ~0x7FFF) | ((p.lpOff(i) + diff) & 0x7FFF));
                }
            }
        }
        int flags = p.lpFlags(offnum);
        p.setItemId(offnum, offset + diff, flags, newSize);
        System.arraycopy(tup, tupOff, b, offset + diff, newSize);
        return true;
    }

    /** PageIndexTupleDeleteNoCompact: the line pointer becomes unused (or goes, if last); the data gap closes. */
    public static void indexTupleDeleteNoCompact(Page p, int offnum) {
        byte[] b = p.bytes();
        int nline = checkIndexItem(p, offnum, "PageIndexTupleDeleteNoCompact");
        int offset = p.lpOff(offnum);
        int size = Page.maxAlign(p.lpLen(offnum));
        if (offnum < nline) {
            p.setUnused(offnum);
        } else {
            p.setLower(p.lower() - Page.ITEM_ID_SIZE);
            nline--;
        }
        int upper = p.upper();
        if (offset > upper) {
            System.arraycopy(b, upper, b, upper + size, offset - upper);
        }
        p.setUpper(upper + size);
        if (!p.isEmpty()) {
            for (int i = 1; i <= nline; i++) {
                if (p.lpHasStorage(i) && p.lpOff(i) <= offset) {
                    int pos = Page.itemIdPos(i);
                    int v = Page.i32(b, pos);
                    Page.setI32(b, pos, (v & ~0x7FFF) | ((p.lpOff(i) + size) & 0x7FFF));
                }
            }
        }
    }
}
