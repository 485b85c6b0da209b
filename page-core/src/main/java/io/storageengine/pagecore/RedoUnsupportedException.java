package io.storageengine.pagecore;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;
import java.util.List;

/**
 * A PostgreSQL record the engine cannot replay (no redo engine, or none for this resource manager
 * or record kind). Carries the resource manager id ({@code xl_rmid}), the info byte
 * ({@code xl_info}) and the LSN, as page-api.md's {@code redo-unsupported} problem names them.
 * No page is returned rather than a wrong one.
 */
public final class RedoUnsupportedException extends PageApplyException {
    /** PostgreSQL 15's resource managers by id ({@code rmgrlist.h}), for messages. */
    private static final List<String> RMGR_NAMES = List.of("XLOG", "Transaction", "Storage", "CLOG", "Database",
            "Tablespace", "MultiXact", "RelMap", "Standby", "Heap2", "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence",
            "SPGist", "BRIN", "CommitTs", "ReplicationOrigin", "Generic", "LogicalMessage");

    private final int rmgrId;
    private final int info;

    /**
     * @param rmgrId the record's {@code xl_rmid} (0-255)
     * @param info the record's {@code xl_info} (0-255)
     * @param reason why it cannot be replayed, e.g. "no redo engine on the class path"
     */
    public RedoUnsupportedException(int rmgrId, int info, long lsn, PageRef page, String reason) {
        super("cannot replay the PostgreSQL record of resource manager " + rmgrName(rmgrId) + " (" + rmgrId
                + "), info 0x" + hex(info) + ", at LSN " + Lsn.format(lsn)
                + (page == null ? "" : " for page " + page) + ": " + reason, lsn, page, null);
        this.rmgrId = rmgrId & 0xFF;
        this.info = info & 0xFF;
    }

    public int rmgrId() {
        return rmgrId;
    }

    public int info() {
        return info;
    }

    /** PostgreSQL 15's name of a resource manager id, or {@code "rmgr <id>"} for an unknown one. */
    public static String rmgrName(int rmgrId) {
        int id = rmgrId & 0xFF;
        return id < RMGR_NAMES.size() ? RMGR_NAMES.get(id) : "rmgr " + id;
    }

    private static String hex(int b) {
        String s = Integer.toHexString(b & 0xFF).toUpperCase();
        return s.length() == 1 ? "0" + s : s;
    }
}
