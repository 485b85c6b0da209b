package io.storageengine.pagecore;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.WalFormat;
import java.util.Arrays;

/**
 * Applies versions to a page with each kind's own rule. {@link #reconstruct} builds a page from a
 * newest-first chain (the read path); an instance replays a stream of versions page by page,
 * oldest first, in one reusable 8 KiB buffer (image building). Instances are not thread-safe.
 */
public final class PageReplay {
    private final byte[] page = new byte[WalFormat.PAGE_SIZE];
    private PageRef ref;
    private long lastLsn;
    private int applied;

    /**
     * Page as of the newest version of {@code newestFirst}: an all-zero page, then the versions from
     * the newest chain start (or the oldest version) up to the newest, applied oldest first.
     *
     * @return a fresh 8192-byte page
     */
    public static byte[] reconstruct(VersionList newestFirst, PageRef ref) throws PageApplyException {
        byte[] out = new byte[WalFormat.PAGE_SIZE];
        int start = VersionChains.chainStart(newestFirst);
        if (start < 0) {
            start = newestFirst.size() - 1;
        }
        for (int i = start; i >= 0; i--) {
            byte[] stored = newestFirst.stored(i);
            long lsn = newestFirst.lsn(i);
            StoredVersion.kind(stored).apply(out, stored, ApplyContext.of(lsn, ref, stored));
        }
        return out;
    }

    /** Starts a new page: an all-zero buffer. */
    public void reset(PageRef page) {
        this.ref = page;
        Arrays.fill(this.page, (byte) 0);
        applied = 0;
    }

    /** Applies the next version (LSNs ascending) to the current page. */
    public void apply(long lsn, byte[] stored) throws PageApplyException {
        if (ref == null) {
            throw new IllegalStateException("reset(page) first");
        }
        StoredVersion.kind(stored).apply(page, stored, ApplyContext.of(lsn, ref, stored));
        lastLsn = lsn;
        applied++;
    }

    /** The current page (the live buffer: copy it to keep it). */
    public byte[] page() {
        return page;
    }

    /** LSN of the last version applied since {@link #reset}. */
    public long lastLsn() {
        return lastLsn;
    }

    /** Versions applied since {@link #reset}. */
    public int applied() {
        return applied;
    }
}
