package io.storageengine.postgres.redo.internal;

import java.util.Arrays;

/**
 * GIN compressed posting lists (PostgreSQL 15 {@code ginpostinglist.c}): a segment is the first
 * item pointer (6 bytes), u16 nbytes, then the varbyte-encoded deltas of the following TIDs
 * (TID as block &lt;&lt; 11 | offset, 7 bits a byte, high bit = more), padded to an even length
 * with a zero byte. TIDs are handled as longs ({@code block << 11 | offset}). Stateless.
 */
final class GinPostingList {

    static final int HEADER = 8;

    private GinPostingList() {
    }

    /** SizeOfGinPostingList of the segment at {@code off}. */
    static int size(byte[] a, int off) {
        int nbytes = Page.u16(a, off + 6);
        return HEADER + ((nbytes + 1) & ~1);
    }

    static long tid(byte[] a, int off) {
        long block = ((long) Page.u16(a, off) << 16) | Page.u16(a, off + 2);
        return (block << 11) | Page.u16(a, off + 4);
    }

    static void putTid(byte[] a, int off, long tid) {
        long block = tid >>> 11;
        Page.setU16(a, off, (int) (block >>> 16) & 0xFFFF);
        Page.setU16(a, off + 2, (int) block & 0xFFFF);
        Page.setU16(a, off + 4, (int) (tid & 0x7FF));
    }

    /** ginPostingListDecode of one segment. */
    static long[] decode(byte[] a, int off) {
        int nbytes = Page.u16(a, off + 6);
        long[] out = new long[nbytes + 1];
        int n = 0;
        long val = tid(a, off);
        out[n++] = val;
        int p = off + HEADER;
        int end = p + nbytes;
        while (p < end) {
            long delta = 0;
            int shift = 0;
            int c;
            do {
                c = a[p++] & 0xFF;
                delta |= (long) (shift == 42 ? c : c & 0x7F) << shift;
                shift += 7;
            } while ((c & 0x80) != 0 && shift <= 42);
            val += delta;
            out[n++] = val;
        }
        return Arrays.copyOf(out, n);
    }

    /** ginCompressPostingList with maxsize BLCKSZ (all items fit in redo's uses); returns the segment bytes. */
    static byte[] compress(long[] items, int n) {
        byte[] buf = new byte[HEADER + 7 * n + 2];
        putTid(buf, 0, items[0]);
        int p = HEADER;
        long prev = items[0];
        for (int i = 1; i < n; i++) {
            long delta = items[i] - prev;
            while (Long.compareUnsigned(delta, 0x7F) > 0) {
                buf[p++] = (byte) (0x80 | (delta & 0x7F));
                delta >>>= 7;
            }
            buf[p++] = (byte) delta;
            prev = items[i];
        }
        int nbytes = p - HEADER;
        if (nbytes > Page.SIZE - HEADER) {
            throw new PageException("GIN posting list of " + n + " items does not fit a page");
        }
        Page.setU16(buf, 6, nbytes);
        if ((nbytes & 1) != 0) {
            buf[p] = 0;
        }
        return Arrays.copyOf(buf, HEADER + ((nbytes + 1) & ~1));
    }

    /** ginMergeItemPointers: sorted union, duplicates once. */
    static long[] merge(long[] a, long[] b) {
        long[] dst = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length && j < b.length) {
            if (a[i] > b[j]) {
                dst[n++] = b[j++];
            } else if (a[i] == b[j]) {
                dst[n++] = b[j++];
                i++;
            } else {
                dst[n++] = a[i++];
            }
        }
        while (i < a.length) {
            dst[n++] = a[i++];
        }
        while (j < b.length) {
            dst[n++] = b[j++];
        }
        return Arrays.copyOf(dst, n);
    }
}
