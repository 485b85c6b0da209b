package io.storageengine.pagecore;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;

/**
 * A PostgreSQL record that cannot apply to the page it names (its redo finds the page in a state
 * the record does not fit): the page's history is corrupt or incomplete. Names the page and the
 * LSN. Readers answer with a server error; nothing is written from such a page.
 */
public final class RedoException extends PageApplyException {

    public RedoException(PageRef page, long lsn, String reason) {
        this(page, lsn, reason, null);
    }

    public RedoException(PageRef page, long lsn, String reason, Throwable cause) {
        super("record at LSN " + Lsn.format(lsn) + " cannot apply to page " + page + ": " + reason, lsn, page, cause);
    }
}
