package io.storageengine.schemas.page;

import io.storageengine.schemas.wal.WalFormat;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The page-apply rules of {@code spec/wal-format.md}: page P as of L starts from the newest
 * PAGE_IMAGE with lsn ≤ L, or from an all-zero page if there is none, and applies every later
 * PAGE_DELTA in LSN order; each delta's patches are applied in order. Inputs are validated
 * records (see {@link PageRecords}). Stateless and thread-safe.
 */
public final class PageApply {
    private PageApply() {
    }

    /**
     * Reconstructs a page.
     *
     * @param image the newest image's 8192 bytes, or {@code null} to start from zeros; not modified
     * @param deltasAscending delta bodies ({@code u16 count | patches}) newer than the image, oldest first
     * @return a fresh 8192-byte page
     */
    public static byte[] reconstruct(byte[] image, List<ByteBuffer> deltasAscending) {
        byte[] page = image == null ? new byte[WalFormat.PAGE_SIZE] : image.clone();
        for (ByteBuffer delta : deltasAscending) {
            applyDelta(page, delta);
        }
        return page;
    }

    /** Applies one delta body ({@code u16 count | patches}) to {@code page} in place. */
    public static void applyDelta(byte[] page, ByteBuffer delta) {
        int p = delta.position();
        int count = Short.toUnsignedInt(delta.getShort(p));
        p += 2;
        for (int i = 0; i < count; i++) {
            int off = Short.toUnsignedInt(delta.getShort(p));
            int len = Short.toUnsignedInt(delta.getShort(p + 2));
            p += 4;
            delta.get(p, page, off, len);
            p += len;
        }
    }

    /** Applies a stored version ({@link StoredVersion}) to {@code page} in place. */
    public static void applyStored(byte[] page, byte[] stored) {
        if (StoredVersion.isImage(stored)) {
            System.arraycopy(stored, 1, page, 0, WalFormat.PAGE_SIZE);
        } else {
            applyDelta(page, StoredVersion.body(stored));
        }
    }
}
