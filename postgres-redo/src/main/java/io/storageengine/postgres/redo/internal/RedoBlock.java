package io.storageengine.postgres.redo.internal;

import java.util.function.Supplier;

/**
 * One block reference of a WAL record, as redo needs it: the page it names, its flags, its data
 * and (lazily, since it may need decompression) its full-page image with the hole filled.
 * Immutable; {@code data} is not copied and must not be changed.
 *
 * @param applyImage BKPIMAGE_APPLY: redo restores the image (false for consistency-check images)
 */
public record RedoBlock(int id, int spcOid, int dbOid, int relNumber, int fork, int blockNumber,
                        boolean willInit, boolean hasImage, boolean applyImage, byte[] data,
                        Supplier<byte[]> image) {

    public boolean hasData() {
        return data != null && data.length > 0;
    }

    /** {@code spc/db/rel fork F block B}. */
    public String describe() {
        return spcOid + "/" + dbOid + "/" + relNumber + " fork " + fork + " block " + Integer.toUnsignedString(blockNumber);
    }
}
