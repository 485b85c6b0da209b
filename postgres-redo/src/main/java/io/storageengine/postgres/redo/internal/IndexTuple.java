package io.storageengine.postgres.redo.internal;

/**
 * B-tree index tuples (PostgreSQL 15 {@code itup.h}, {@code nbtree.h}, {@code nbtdedup.c}):
 * t_tid (6 bytes: block high u16, block low u16, offset u16) then t_info u16 (size in the low 13
 * bits, INDEX_ALT_TID_MASK 0x2000). Posting list tuples keep their TID count (| BT_IS_POSTING) in
 * t_tid's offset and the posting list's offset in t_tid's block. Stateless helpers.
 */
public final class IndexTuple {

    static final int SIZE_MASK = 0x1FFF;
    static final int ALT_TID_MASK = 0x2000;
    static final int BT_OFFSET_MASK = 0x0FFF;
    static final int BT_IS_POSTING = 0x2000;
    static final int TID_SIZE = 6;

    private IndexTuple() {
    }

    public static int size(byte[] a, int t) {
        return Page.u16(a, t + 6) & SIZE_MASK;
    }

    static int info(byte[] a, int t) {
        return Page.u16(a, t + 6);
    }

    static void setInfo(byte[] a, int t, int v) {
        Page.setU16(a, t + 6, v);
    }

    static int tidBlock(byte[] a, int t) {
        return (Page.u16(a, t) << 16) | Page.u16(a, t + 2);
    }

    static void setTidBlock(byte[] a, int t, int blk) {
        Page.setU16(a, t, blk >>> 16);
        Page.setU16(a, t + 2, blk & 0xFFFF);
    }

    static int tidOffset(byte[] a, int t) {
        return Page.u16(a, t + 4);
    }

    static void setTidOffset(byte[] a, int t, int off) {
        Page.setU16(a, t + 4, off);
    }

    static boolean isPosting(byte[] a, int t) {
        return (info(a, t) & ALT_TID_MASK) != 0 && (tidOffset(a, t) & BT_IS_POSTING) != 0;
    }

    static int nPosting(byte[] a, int t) {
        return tidOffset(a, t) & BT_OFFSET_MASK;
    }

    static int postingOffset(byte[] a, int t) {
        return tidBlock(a, t);
    }

    /** A copy of the tuple at {@code t} ({@code size} bytes). */
    static byte[] copy(byte[] a, int t, int size) {
        byte[] c = new byte[size];
        System.arraycopy(a, t, c, 0, size);
        return c;
    }

    /**
     * _bt_form_posting / _bt_update_posting: a tuple with the key of {@code base} (its first
     * {@code keySize} bytes) and the given heap TIDs.
     */
    static byte[] formPosting(byte[] base, int b, int keySize, byte[] tids, int tidsOff, int n) {
        int newSize = n > 1 ? Page.maxAlign(keySize + n * TID_SIZE) : keySize;
        byte[] t = new byte[newSize];
        System.arraycopy(base, b, t, 0, keySize);
        setInfo(t, 0, (info(t, 0) & ~SIZE_MASK) | newSize);
        if (n > 1) {
            setInfo(t, 0, info(t, 0) | ALT_TID_MASK);
            setTidOffset(t, 0, n | BT_IS_POSTING);
            setTidBlock(t, 0, keySize);
            System.arraycopy(tids, tidsOff, t, keySize, n * TID_SIZE);
        } else {
            setInfo(t, 0, info(t, 0) & ~ALT_TID_MASK);
            System.arraycopy(tids, tidsOff, t, 0, TID_SIZE);
        }
        return t;
    }

    /**
     * _bt_swap_posting: returns the new posting tuple; {@code newItem} (a private copy) gets the
     * posting list's old maximum TID.
     */
    static byte[] swapPosting(byte[] newItem, byte[] page, int oposting, int postingOff) {
        int n = nPosting(page, oposting);
        if (!(postingOff > 0 && postingOff < n)) {
            throw new PageException("posting list tuple with " + n + " items cannot be split at offset " + postingOff);
        }
        byte[] np = copy(page, oposting, size(page, oposting));
        int list = postingOffset(np, 0);
        int replace = list + postingOff * TID_SIZE;
        System.arraycopy(np, replace, np, replace + TID_SIZE, (n - postingOff - 1) * TID_SIZE);
        System.arraycopy(newItem, 0, np, replace, TID_SIZE);
        System.arraycopy(page, oposting + list + (n - 1) * TID_SIZE, newItem, 0, TID_SIZE);
        return np;
    }

    /** _bt_update_posting: the posting tuple at {@code t} without the TIDs at the sorted indexes given. */
    static byte[] updatePosting(byte[] page, int t, int[] deleted) {
        int n = nPosting(page, t);
        int keep = n - deleted.length;
        if (keep <= 0 || keep >= n) {
            throw new PageException("posting list of " + n + " TIDs cannot lose " + deleted.length);
        }
        int list = postingOffset(page, t);
        byte[] tids = new byte[keep * TID_SIZE];
        int ui = 0;
        int d = 0;
        for (int i = 0; i < n; i++) {
            if (d < deleted.length && deleted[d] == i) {
                d++;
                continue;
            }
            System.arraycopy(page, t + list + i * TID_SIZE, tids, ui++ * TID_SIZE, TID_SIZE);
        }
        return formPosting(page, t, list, tids, 0, keep);
    }
}
