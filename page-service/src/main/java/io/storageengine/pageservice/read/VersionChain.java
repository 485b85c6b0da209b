package io.storageengine.pageservice.read;

import io.storageengine.schemas.page.PageApply;
import io.storageengine.schemas.page.StoredVersion;
import io.storageengine.schemas.wal.WalFormat;
import java.util.Arrays;
import java.util.List;

/**
 * The versions of one page needed to reconstruct it, newest first, ending at the newest image if
 * one was found. Built by one read on one thread; not thread-safe. Holds references to the
 * stored values, no copies.
 */
final class VersionChain {
    private long[] lsns = new long[16];
    private byte[][] values = new byte[16][];
    private int size;
    private boolean endsWithImage;

    /** Appends an older version; returns true if it is an image (the chain is then complete). */
    boolean addOlder(long lsn, byte[] stored) {
        if (size == lsns.length) {
            lsns = Arrays.copyOf(lsns, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        lsns[size] = lsn;
        values[size] = stored;
        size++;
        endsWithImage = StoredVersion.isImage(stored);
        return endsWithImage;
    }

    int size() {
        return size;
    }

    boolean endsWithImage() {
        return endsWithImage;
    }

    long newestLsn() {
        return lsns[0];
    }

    /**
     * Merges cold versions (newest first, lsn ≤ maxLsn) into a chain that holds no image:
     * one list ordered by LSN descending, a version present in both tiers counted once (the hot
     * copy wins, except that a cold image beats a hot delta at the same LSN: both mean the page as of
     * that LSN, and the cold list ends at its image, so the older deltas the hot store may no longer
     * hold after trimming are never needed), cut after the newest image.
     */
    VersionChain mergeCold(List<ColdVersion> cold, long maxLsn) {
        VersionChain out = new VersionChain();
        int h = 0;
        int c = 0;
        while (h < size || c < cold.size()) {
            ColdVersion cv = c < cold.size() ? cold.get(c) : null;
            if (cv != null && Long.compareUnsigned(cv.lsn(), maxLsn) > 0) {
                c++;
                continue;
            }
            boolean image;
            if (cv != null && h < size && lsns[h] == cv.lsn() && !StoredVersion.isImage(values[h])
                    && StoredVersion.isImage(cv.stored())) {
                h++; // an image of the page as of this LSN (an image segment) ends the chain as well as the delta would
                continue;
            }
            if (cv == null || (h < size && Long.compareUnsigned(lsns[h], cv.lsn()) >= 0)) {
                if (cv != null && lsns[h] == cv.lsn()) {
                    c++;
                }
                image = out.addOlder(lsns[h], values[h]);
                h++;
            } else {
                image = out.addOlder(cv.lsn(), cv.stored());
                c++;
            }
            if (image) {
                break;
            }
        }
        return out;
    }

    /** Applies the chain oldest first onto an all-zero page (an image overwrites it): a fresh page. */
    byte[] reconstruct() {
        byte[] page = new byte[WalFormat.PAGE_SIZE];
        for (int i = size - 1; i >= 0; i--) {
            PageApply.applyStored(page, values[i]);
        }
        return page;
    }
}
