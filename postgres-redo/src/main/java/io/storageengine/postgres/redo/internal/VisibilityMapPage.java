package io.storageengine.postgres.redo.internal;

/**
 * Visibility-map page layout (PostgreSQL 15 {@code visibilitymap.c}): after the 24-byte page
 * header, two bits per heap block (ALL_VISIBLE low, ALL_FROZEN high), four heap blocks a byte,
 * 32,672 heap blocks a page. Stateless.
 */
public final class VisibilityMapPage {

    public static final int ALL_VISIBLE = 0x01;
    public static final int ALL_FROZEN = 0x02;
    public static final int VALID_BITS = 0x03;
    public static final int MAPSIZE = Page.SIZE - Page.maxAlign(Page.HEADER_SIZE);
    public static final int HEAPBLOCKS_PER_PAGE = MAPSIZE * 4;

    private VisibilityMapPage() {
    }

    /** HEAPBLK_TO_MAPBLOCK: the VM block holding this heap block's bits (unsigned). */
    public static long mapBlock(int heapBlk) {
        return Integer.toUnsignedLong(heapBlk) / HEAPBLOCKS_PER_PAGE;
    }

    static int mapByte(int heapBlk) {
        return (int) ((Integer.toUnsignedLong(heapBlk) % HEAPBLOCKS_PER_PAGE) / 4);
    }

    static int mapShift(int heapBlk) {
        return (int) (Integer.toUnsignedLong(heapBlk) % 4) * 2;
    }

    public static int bits(byte[] vmPage, int heapBlk) {
        return ((vmPage[Page.HEADER_SIZE + mapByte(heapBlk)] & 0xFF) >> mapShift(heapBlk)) & VALID_BITS;
    }

    /** visibilitymap_set in recovery: sets the bits and stamps the LSN, only if the bits change. */
    public static void set(byte[] vmPage, int heapBlk, int flags, long lsn) {
        if (flags != bits(vmPage, heapBlk)) {
            int i = Page.HEADER_SIZE + mapByte(heapBlk);
            vmPage[i] = (byte) (vmPage[i] | (flags << mapShift(heapBlk)));
            new Page(vmPage).setLsn(lsn);
        }
    }

    /** visibilitymap_clear: clears {@code flags}; true when a bit was set. The LSN is not touched. */
    public static boolean clear(byte[] vmPage, int heapBlk, int flags) {
        int i = Page.HEADER_SIZE + mapByte(heapBlk);
        int mask = (flags & VALID_BITS) << mapShift(heapBlk);
        if ((vmPage[i] & mask) != 0) {
            vmPage[i] = (byte) (vmPage[i] & ~mask);
            return true;
        }
        return false;
    }
}
