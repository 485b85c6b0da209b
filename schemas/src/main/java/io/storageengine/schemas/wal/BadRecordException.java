package io.storageengine.schemas.wal;

/**
 * A frame that is intact (magic and CRC valid) but whose payload breaks the rules of its record
 * type, e.g. a PAGE_IMAGE that is not 17 + 8192 bytes or a PAGE_DELTA whose patches run past the
 * page. The message names the record's LSN. Such a record is rejected and counted; processing
 * continues with the next frame.
 */
public final class BadRecordException extends Exception {
    private final long lsn;

    public BadRecordException(long lsn, String message) {
        super("bad record at LSN " + Lsn.format(lsn) + ": " + message);
        this.lsn = lsn;
    }

    public long lsn() {
        return lsn;
    }
}
