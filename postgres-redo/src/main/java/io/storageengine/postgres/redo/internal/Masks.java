package io.storageengine.postgres.redo.internal;

import java.util.Arrays;

/**
 * The masking PostgreSQL 15 applies before comparing a replayed page with a
 * {@code wal_consistency_checking} image ({@code bufmask.c}, {@code heap_mask},
 * {@code btree_mask}, {@code seq_mask}): fields that legitimately differ between primary and
 * replay (LSN, checksum, hint bits, unused space, LP flags on btree leaves...) are overwritten
 * with the mask marker (0). Pages are masked in place. Stateless.
 */
public final class Masks {

    private static final int MASK_MARKER = 0;

    private Masks() {
    }

    /** mask_page_lsn_and_checksum. */
    public static void maskLsnAndChecksum(byte[] page) {
        Page p = new Page(page);
        p.setLsn(MASK_MARKER);
        p.setChecksum(MASK_MARKER);
    }

    /** mask_page_hint_bits: pd_prune_xid, PD_PAGE_FULL, PD_HAS_FREE_LINES, PD_ALL_VISIBLE. */
    public static void maskHintBits(byte[] page) {
        Page p = new Page(page);
        p.setPruneXid(MASK_MARKER);
        p.clearFlag(Page.PD_PAGE_FULL | Page.PD_HAS_FREE_LINES | Page.PD_ALL_VISIBLE);
    }

    /** mask_unused_space: pd_lower..pd_upper; a page with impossible pointers is an error, as there. */
    public static void maskUnusedSpace(byte[] page) {
        Page p = new Page(page);
        int lower = p.lower();
        int upper = p.upper();
        int special = p.special();
        if (lower > upper || special < upper || lower < Page.HEADER_SIZE || special > Page.SIZE) {
            throw new PageException("invalid page pd_lower " + lower + " pd_upper " + upper + " pd_special "
                    + special);
        }
        Arrays.fill(page, lower, upper, (byte) MASK_MARKER);
    }

    /** mask_lp_flags: every used line pointer becomes LP_UNUSED (offset and length kept). */
    public static void maskLpFlags(byte[] page) {
        Page p = new Page(page);
        int max = p.maxOffset();
        for (int off = 1; off <= max; off++) {
            if (p.lpIsUsed(off)) {
                p.setItemId(off, p.lpOff(off), Page.LP_UNUSED, p.lpLen(off));
            }
        }
    }

    /** mask_page_content: everything after the header, and pd_lower/pd_upper. */
    public static void maskPageContent(byte[] page) {
        Arrays.fill(page, Page.HEADER_SIZE, Page.SIZE, (byte) MASK_MARKER);
        Page p = new Page(page);
        p.setLower(MASK_MARKER);
        p.setUpper(MASK_MARKER);
    }

    /** heap_mask (Heap and Heap2 records). */
    public static void heapMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskHintBits(page);
        maskUnusedSpace(page);
        Page p = new Page(page);
        for (int off = 1; off <= p.maxOffset(); off++) {
            int item = p.lpOff(off);
            int len = p.lpLen(off);
            if (p.lpIsNormal(off)) {
                if (item + HeapTuple.HEADER_SIZE > Page.SIZE) {
                    throw new PageException("heap_mask: item " + off + " at " + item + " runs past the page");
                }
                int infomask = HeapTuple.infomask(page, item);
                if (!HeapTuple.xminFrozen(page, item)) {
                    infomask &= ~HeapTuple.HEAP_XACT_MASK;
                } else {
                    infomask &= ~(HeapTuple.HEAP_XMAX_INVALID | HeapTuple.HEAP_XMAX_COMMITTED);
                }
                HeapTuple.setInfomask(page, item, infomask);
                HeapTuple.setCid(page, item, MASK_MARKER);
                if (HeapTuple.isSpeculative(page, item)) {
                    HeapTuple.setCtid(page, item, blockNumber, off);
                }
            }
            if (len != 0) {
                int pad = Page.maxAlign(len) - len;
                if (pad > 0) {
                    if (item + len + pad > Page.SIZE) {
                        throw new PageException("heap_mask: item " + off + " at " + item + " runs past the page");
                    }
                    Arrays.fill(page, item + len, item + len + pad, (byte) MASK_MARKER);
                }
            }
        }
    }

    /** btree_mask. */
    public static void btreeMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskHintBits(page);
        maskUnusedSpace(page);
        int opaque = new Page(page).special();
        if (opaque + BtreePage.OPAQUE_SIZE > Page.SIZE) {
            throw new PageException("btree_mask: special space at " + opaque + " too small");
        }
        int flags = Page.u16(page, opaque + 12);
        if ((flags & BtreePage.BTP_LEAF) != 0) {
            maskLpFlags(page);
        }
        flags &= ~(BtreePage.BTP_HAS_GARBAGE | BtreePage.BTP_SPLIT_END);
        Page.setU16(page, opaque + 12, flags);
        Page.setU16(page, opaque + 14, 0);
    }

    /** hash_mask. */
    public static void hashMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskHintBits(page);
        maskUnusedSpace(page);
        int opaque = new Page(page).special();
        if (opaque + HashRedo.OPAQUE_SIZE > Page.SIZE) {
            throw new PageException("hash_mask: special space at " + opaque + " too small");
        }
        int flag = Page.u16(page, opaque + 12);
        int type = flag & HashRedo.LH_PAGE_TYPE;
        if (type == 0) {
            maskPageContent(page);
        } else if (type == HashRedo.LH_BUCKET_PAGE || type == HashRedo.LH_OVERFLOW_PAGE) {
            maskLpFlags(page);
        }
        Page.setU16(page, opaque + 12, flag & ~HashRedo.LH_PAGE_HAS_DEAD_TUPLES);
    }

    /** gin_mask. */
    public static void ginMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        Page p = new Page(page);
        int opaque = p.special();
        if (opaque + GinRedo.OPAQUE_SIZE > Page.SIZE) {
            throw new PageException("gin_mask: special space at " + opaque + " too small");
        }
        maskHintBits(page);
        if ((Page.u16(page, opaque + 6) & GinRedo.GIN_DELETED) != 0) {
            maskPageContent(page);
        } else if (p.lower() > Page.HEADER_SIZE) {
            maskUnusedSpace(page);
        }
    }

    /** gist_mask. */
    public static void gistMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskHintBits(page);
        maskUnusedSpace(page);
        if (new Page(page).special() + GistRedo.OPAQUE_SIZE > Page.SIZE) {
            throw new PageException("gist_mask: special space too small");
        }
        GistRedo.setNsn(page, MASK_MARKER);
        int flags = GistRedo.flags(page) | GistRedo.F_FOLLOW_RIGHT;
        GistRedo.setFlags(page, flags);
        if ((flags & GistRedo.F_LEAF) != 0) {
            maskLpFlags(page);
        }
        GistRedo.setFlags(page, GistRedo.flags(page) & ~GistRedo.F_HAS_GARBAGE);
    }

    /** brin_mask. */
    public static void brinMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskHintBits(page);
        Page p = new Page(page);
        if (p.special() + 8 > Page.SIZE) {
            throw new PageException("brin_mask: special space too small");
        }
        int type = BrinRedo.pageType(page);
        if (type == BrinRedo.TYPE_REGULAR || (type == BrinRedo.TYPE_META && p.lower() > Page.HEADER_SIZE)) {
            maskUnusedSpace(page);
        }
        int flagsAt = p.special() + 4;
        Page.setU16(page, flagsAt, Page.u16(page, flagsAt) & ~BrinRedo.EVACUATE_PAGE);
    }

    /** spg_mask. */
    public static void spgMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskHintBits(page);
        if (new Page(page).lower() >= Page.HEADER_SIZE) {
            maskUnusedSpace(page);
        }
    }

    /** generic_mask. */
    public static void genericMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskUnusedSpace(page);
    }

    /** seq_mask. */
    public static void seqMask(byte[] page, int blockNumber) {
        maskLsnAndChecksum(page);
        maskUnusedSpace(page);
    }
}
