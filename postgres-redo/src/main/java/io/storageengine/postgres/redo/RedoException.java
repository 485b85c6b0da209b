package io.storageengine.postgres.redo;

import io.storageengine.schemas.wal.Lsn;

/**
 * A PostgreSQL record cannot be applied to the page it was given: an offset beyond the page, an
 * item number that does not exist, a page that is not initialized where the record needs an
 * initialized one, a record whose data is shorter than its kind requires. Never a silently wrong
 * page: the caller answers it as a problem and counts it. Immutable.
 */
public class RedoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String page;
    private final long lsn;

    public RedoException(String page, long lsn, String message) {
        this(page, lsn, message, null);
    }

    public RedoException(String page, long lsn, String message, Throwable cause) {
        super(message + " (page " + page + ", record at end LSN " + Lsn.format(lsn) + ")", cause);
        this.page = page;
        this.lsn = lsn;
    }

    /** The page, as {@code spc/db/rel fork F block B} (or block reference #id when unknown). */
    public String page() {
        return page;
    }

    /** The record's end LSN. */
    public long lsn() {
        return lsn;
    }
}
