package io.storageengine.pagecore;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;
import java.util.Objects;

/**
 * Where a version is applied: its LSN (the record's end LSN), the page it changes, and for a
 * PG_RECORD the block reference id inside the PostgreSQL record (-1 for other kinds). Immutable.
 */
public record ApplyContext(long lsn, PageRef page, int blockId) {
    public static final int NO_BLOCK_ID = -1;

    public ApplyContext {
        Objects.requireNonNull(page, "page");
    }

    /** The context of applying {@code stored} at {@code lsn} to {@code page}. */
    public static ApplyContext of(long lsn, PageRef page, byte[] stored) {
        return new ApplyContext(lsn, page, StoredVersion.blockId(stored));
    }

    public Lsn lsnValue() {
        return new Lsn(lsn);
    }
}
