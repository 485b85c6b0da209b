package io.storageengine.pagecore;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;

/**
 * A version that could not be applied to a page. Sealed: {@link RedoUnsupportedException} (the
 * engine cannot replay this record kind: HTTP 501, compaction keeps the versions) or
 * {@link RedoException} (the record does not fit the page: corrupt history). Both name the page
 * and the LSN. Immutable.
 */
public abstract sealed class PageApplyException extends Exception permits RedoUnsupportedException, RedoException {
    private final long lsn;
    private final PageRef page;

    PageApplyException(String message, long lsn, PageRef page, Throwable cause) {
        super(message, cause);
        this.lsn = lsn;
        this.page = page;
    }

    /** The LSN of the version that could not be applied. */
    public long lsn() {
        return lsn;
    }

    public Lsn lsnValue() {
        return new Lsn(lsn);
    }

    /** The page, or null when the thrower did not know it. */
    public PageRef page() {
        return page;
    }
}
