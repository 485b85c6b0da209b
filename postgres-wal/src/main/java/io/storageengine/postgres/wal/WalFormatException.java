package io.storageengine.postgres.wal;

import io.storageengine.schemas.wal.Lsn;

/**
 * Malformed PostgreSQL WAL: a record, block reference, image, page header or segment file that
 * does not follow PostgreSQL 15's format. The message always names the LSN (and, from the segment
 * reader, the file) where the problem is; {@link #lsn()} gives the LSN to programs.
 */
public final class WalFormatException extends RuntimeException {

    private final transient Lsn lsn;

    public WalFormatException(Lsn lsn, String message) {
        super(message);
        this.lsn = lsn;
    }

    public WalFormatException(Lsn lsn, String message, Throwable cause) {
        super(message, cause);
        this.lsn = lsn;
    }

    /** The LSN the message names (a record's start or end, or a page address). */
    public Lsn lsn() {
        return lsn;
    }
}
