package io.storageengine.postgres.redo;

import io.storageengine.schemas.wal.Lsn;

/**
 * The record is of a kind this engine cannot replay yet (page API status 501
 * {@code redo-unsupported}): no page is produced rather than a wrong one. Names the resource
 * manager, the record kind (as pg_waldump prints them) and the record's end LSN. Immutable.
 */
public final class RedoUnsupportedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String rmgr;
    private final String kind;
    private final long lsn;

    public RedoUnsupportedException(String rmgr, String kind, long lsn) {
        super("redo of " + rmgr + "/" + kind + " is not supported yet (record at end LSN " + Lsn.format(lsn) + ")");
        this.rmgr = rmgr;
        this.kind = kind;
        this.lsn = lsn;
    }

    public String rmgr() {
        return rmgr;
    }

    public String kind() {
        return kind;
    }

    public long lsn() {
        return lsn;
    }
}
