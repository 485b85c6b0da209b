package io.storageengine.postgres.redo.internal;

/**
 * ginRedoRecompress (PostgreSQL 15 {@code ginxlog.c}): replays the segment actions of a GIN data
 * leaf page (DELETE, INSERT, REPLACE, ADDITEMS per segment number) onto its compressed posting
 * list. PostgreSQL copies the untouched tail aside before the first change; reading every old
 * segment from a snapshot of the page is the same. A pre-9.4 uncompressed leaf is compressed
 * first, as there. Stateless.
 */
final class GinRecompress {

    private static final int DELETE = 1;
    private static final int INSERT = 2;
    private static final int REPLACE = 3;
    private static final int ADDITEMS = 4;
    private static final int DATA = 32;

    private GinRecompress() {
    }

    static void apply(BlockRedo r, byte[] d, int off) {
        byte[] p = r.bytes();
        Page page = r.page();
        int opaque = page.special();
        if ((GinRedo.flags(p) & GinRedo.GIN_COMPRESSED) == 0) {
            int n = Page.u16(p, opaque + 4);
            int size = 0;
            if (n > 0) {
                long[] items = new long[n];
                for (int i = 0; i < n; i++) {
                    items[i] = GinPostingList.tid(p, DATA + 6 * i);
                }
                byte[] seg = GinPostingList.compress(items, n);
                System.arraycopy(seg, 0, p, DATA, seg.length);
                size = seg.length;
            }
            page.setLower(DATA + size);
            Page.setU16(p, opaque + 6, GinRedo.flags(p) | GinRedo.GIN_COMPRESSED);
            Page.setU16(p, opaque + 4, 0);
        }
        byte[] orig = p.clone();
        int segmentEnd = page.lower();
        if (segmentEnd < DATA || segmentEnd > opaque) {
            throw r.fail("GIN data leaf page has pd_lower " + segmentEnd);
        }
        int oldseg = DATA;
        int write = DATA;
        int segno = 0;
        boolean tailCopied = false;
        int nactions = Page.u16(d, off);
        int w = off + 2;
        for (int a = 0; a < nactions; a++) {
            if (w + 2 > d.length) {
                throw r.fail("GIN leaf actions end after " + a + " of " + nactions);
            }
            int aSegno = d[w++] & 0xFF;
            int action = d[w++] & 0xFF;
            byte[] newSeg = null;
            int newSegOff = 0;
            int newSegSize = 0;
            long[] addItems = null;
            if (action == INSERT || action == REPLACE) {
                newSeg = d;
                newSegOff = w;
                newSegSize = GinPostingList.size(d, w);
                if (w + newSegSize > d.length) {
                    throw r.fail("GIN segment in the record runs past its data");
                }
                w += (newSegSize + 1) & ~1;
            } else if (action == ADDITEMS) {
                int nitems = Page.u16(d, w);
                w += 2;
                addItems = new long[nitems];
                for (int i = 0; i < nitems; i++) {
                    addItems[i] = GinPostingList.tid(d, w + 6 * i);
                }
                w += 6 * nitems;
            } else if (action != DELETE) {
                throw r.fail("unexpected GIN leaf action: " + action);
            }
            if (aSegno < segno) {
                throw r.fail("GIN leaf actions out of order (segment " + aSegno + " after " + segno + ")");
            }
            while (segno < aSegno) {
                if (oldseg >= segmentEnd) {
                    throw r.fail("GIN leaf action on segment " + aSegno + " past the page's segments");
                }
                int size = GinPostingList.size(orig, oldseg);
                if (tailCopied) {
                    copy(r, orig, oldseg, p, write, size, opaque);
                }
                write += size;
                oldseg += size;
                segno++;
            }
            if (action == ADDITEMS) {
                if (oldseg >= segmentEnd) {
                    throw r.fail("GIN leaf ADDITEMS on a missing segment " + aSegno);
                }
                long[] merged = GinPostingList.merge(addItems, GinPostingList.decode(orig, oldseg));
                newSeg = GinPostingList.compress(merged, merged.length);
                newSegOff = 0;
                newSegSize = newSeg.length;
                action = REPLACE;
            }
            int segSize;
            if (oldseg != segmentEnd) {
                segSize = GinPostingList.size(orig, oldseg);
            } else if (action == INSERT) {
                segSize = 0;
            } else {
                throw r.fail("GIN leaf action " + action + " past the last segment");
            }
            if (oldseg != segmentEnd) {
                tailCopied = true;
            }
            switch (action) {
                case DELETE -> {
                    oldseg += segSize;
                    segno++;
                }
                case INSERT -> {
                    copy(r, newSeg, newSegOff, p, write, newSegSize, opaque);
                    write += newSegSize;
                }
                default -> { // REPLACE
                    copy(r, newSeg, newSegOff, p, write, newSegSize, opaque);
                    write += newSegSize;
                    oldseg += segSize;
                    segno++;
                }
            }
        }
        if (oldseg != segmentEnd && tailCopied) {
            copy(r, orig, oldseg, p, write, segmentEnd - oldseg, opaque);
            write += segmentEnd - oldseg;
        }
        page.setLower(write);
    }

    private static void copy(BlockRedo r, byte[] src, int from, byte[] p, int to, int len, int limit) {
        if (to + len > limit || from + len > src.length || len < 0) {
            throw r.fail("GIN posting list does not fit the page");
        }
        System.arraycopy(src, from, p, to, len);
    }
}
