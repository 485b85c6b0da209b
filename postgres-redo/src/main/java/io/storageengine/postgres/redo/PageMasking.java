package io.storageengine.postgres.redo;

import java.util.Arrays;

import io.storageengine.postgres.redo.internal.Masks;

/**
 * PostgreSQL's masking of a page before two copies are compared ({@code bufmask.c} and the
 * resource managers' {@code *_mask}): the public face of the masks the consistency checker uses,
 * picked by {@link RelationKind}, for tools and tests that compare a page we serve with the
 * server's ({@code get_raw_page}). Pages are {@code byte[8192]}; stateless, thread-safe.
 */
public final class PageMasking {

    /** PostgreSQL's block size. */
    public static final int PAGE_SIZE = 8192;

    private PageMasking() {
    }

    /** True when pages of this kind can be compared after masking ({@link RelationKind#OTHER} cannot). */
    public static boolean comparable(RelationKind kind, int block) {
        return switch (kind) {
            case HEAP, BTREE, HASH, GIN, GIST, BRIN, VM -> true;
            // the SP-GiST metapage's last-used-pages cache is written without WAL
            case SPGIST -> block != 0;
            case OTHER -> false;
        };
    }

    /**
     * Masks {@code page} in place as PostgreSQL does for {@code kind}; a new (all-zero) page is left
     * as it is. Throws when the kind is not {@link #comparable} or the page is not 8192 bytes.
     */
    public static void mask(byte[] page, RelationKind kind, int block) {
        if (page.length != PAGE_SIZE) {
            throw new IllegalArgumentException("a page is " + PAGE_SIZE + " bytes, not " + page.length);
        }
        if (!comparable(kind, block)) {
            throw new IllegalArgumentException(kind + " block " + Integer.toUnsignedString(block)
                    + " is not compared (changed by PostgreSQL without WAL)");
        }
        if (isNew(page)) {
            return;
        }
        switch (kind) {
            case HEAP -> Masks.heapMask(page, block);
            case BTREE -> Masks.btreeMask(page, block);
            case HASH -> Masks.hashMask(page, block);
            case GIN -> Masks.ginMask(page, block);
            case GIST -> Masks.gistMask(page, block);
            case BRIN -> Masks.brinMask(page, block);
            case SPGIST -> Masks.spgMask(page, block);
            case VM -> Masks.maskLsnAndChecksum(page);
            case OTHER -> throw new AssertionError("checked above");
        }
    }

    /**
     * The first offset where the two pages differ after masking both copies, or -1 when they are
     * equal. The arguments are not modified.
     */
    public static int firstDifference(byte[] ours, byte[] theirs, RelationKind kind, int block) {
        byte[] a = ours.clone();
        byte[] b = theirs.clone();
        mask(a, kind, block);
        mask(b, kind, block);
        return Arrays.mismatch(a, b);
    }

    /** True for a page PostgreSQL has never initialized (all zeros: extended, not yet used). */
    public static boolean isNew(byte[] page) {
        for (byte x : page) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
