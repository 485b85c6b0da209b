package io.storageengine.schemas.page;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The key of one page version in the hot store and in segments, 57 bytes:
 * PageKey (49) | lsn (8, big-endian). Sorting these keys as unsigned bytes groups one page's
 * versions together in LSN order (LSNs compare unsigned, as big-endian bytes do).
 * Static helpers only; thread-safe.
 */
public final class VersionKey {
    public static final int SIZE = PageKey.SIZE + 8;

    private VersionKey() {
    }

    public static byte[] encode(byte[] pageKey, long lsn) {
        if (pageKey.length != PageKey.SIZE) {
            throw new IllegalArgumentException("page key must be " + PageKey.SIZE + " bytes, got " + pageKey.length);
        }
        byte[] k = Arrays.copyOf(pageKey, SIZE);
        ByteBuffer.wrap(k).putLong(PageKey.SIZE, lsn);
        return k;
    }

    public static byte[] encode(PageKey key, long lsn) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        key.write(b);
        b.putLong(lsn);
        return b.array();
    }

    public static long lsnOf(byte[] versionKey) {
        return ByteBuffer.wrap(versionKey).getLong(PageKey.SIZE);
    }

    public static byte[] pageKeyOf(byte[] versionKey) {
        return Arrays.copyOf(versionKey, PageKey.SIZE);
    }

    /** True if {@code versionKey} is a version of the page {@code pageKey}. */
    public static boolean hasPageKey(byte[] versionKey, byte[] pageKey) {
        return Arrays.equals(versionKey, 0, PageKey.SIZE, pageKey, 0, PageKey.SIZE);
    }

    /** Unsigned lexicographic order, the order of the hot store and of segments. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
