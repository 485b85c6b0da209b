package io.storageengine.postgres.redo.internal;

/**
 * PostgreSQL 15's built-in resource managers, by id ({@code rmgrlist.h}), with the names
 * pg_waldump prints. Redo dispatch switches over this exhaustively.
 */
public enum Rmgr {
    XLOG("XLOG"), XACT("Transaction"), SMGR("Storage"), CLOG("CLOG"), DBASE("Database"), TBLSPC("Tablespace"),
    MULTIXACT("MultiXact"), RELMAP("RelMap"), STANDBY("Standby"), HEAP2("Heap2"), HEAP("Heap"), BTREE("Btree"),
    HASH("Hash"), GIN("Gin"), GIST("Gist"), SEQ("Sequence"), SPGIST("SPGist"), BRIN("BRIN"),
    COMMIT_TS("CommitTs"), REPLORIGIN("ReplicationOrigin"), GENERIC("Generic"), LOGICALMSG("LogicalMessage");

    private static final Rmgr[] BY_ID = values();

    private final String pgName;

    Rmgr(String pgName) {
        this.pgName = pgName;
    }

    public String pgName() {
        return pgName;
    }

    /** The built-in rmgr with this id, or null (custom rmgrs, ids 128..255, are not built in). */
    public static Rmgr of(int rmid) {
        return rmid >= 0 && rmid < BY_ID.length ? BY_ID[rmid] : null;
    }
}
