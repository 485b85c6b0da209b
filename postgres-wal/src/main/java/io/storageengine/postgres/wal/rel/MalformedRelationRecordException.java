package io.storageengine.postgres.wal.rel;

import io.storageengine.schemas.wal.Lsn;

/**
 * A record whose main data cannot be what its resource manager and info say (too short, a
 * negative count, a fork number out of range). Names the record's end LSN and kind. Immutable.
 */
public final class MalformedRelationRecordException extends RuntimeException {
    private final long lsn;

    public MalformedRelationRecordException(long lsn, String what) {
        super("record ending at " + Lsn.format(lsn) + ": " + what, null, false, false);
        this.lsn = lsn;
    }

    public long lsn() {
        return lsn;
    }
}
