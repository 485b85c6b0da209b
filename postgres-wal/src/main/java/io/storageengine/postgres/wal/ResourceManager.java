package io.storageengine.postgres.wal;

/**
 * PostgreSQL 15's built-in resource managers ({@code access/rmgrlist.h}), with the ids written in
 * {@code xl_rmid} and the names {@code pg_waldump} prints. {@link #identify(int)} gives the record
 * name {@code pg_waldump} prints after {@code desc:} (the {@code rm_identify} functions of
 * {@code access/rmgrdesc}). Immutable.
 */
public enum ResourceManager {
    XLOG(0, "XLOG"),
    TRANSACTION(1, "Transaction"),
    STORAGE(2, "Storage"),
    CLOG(3, "CLOG"),
    DATABASE(4, "Database"),
    TABLESPACE(5, "Tablespace"),
    MULTI_XACT(6, "MultiXact"),
    REL_MAP(7, "RelMap"),
    STANDBY(8, "Standby"),
    HEAP2(9, "Heap2"),
    HEAP(10, "Heap"),
    BTREE(11, "Btree"),
    HASH(12, "Hash"),
    GIN(13, "Gin"),
    GIST(14, "Gist"),
    SEQUENCE(15, "Sequence"),
    SPGIST(16, "SPGist"),
    BRIN(17, "BRIN"),
    COMMIT_TS(18, "CommitTs"),
    REPLICATION_ORIGIN(19, "ReplicationOrigin"),
    GENERIC(20, "Generic"),
    LOGICAL_MESSAGE(21, "LogicalMessage");

    private static final ResourceManager[] BY_ID = values();

    private final int id;
    private final String waldumpName;

    ResourceManager(int id, String waldumpName) {
        this.id = id;
        this.waldumpName = waldumpName;
    }

    /** The {@code xl_rmid} value. */
    public int id() {
        return id;
    }

    /** The name {@code pg_waldump} prints after {@code rmgr:}. */
    public String waldumpName() {
        return waldumpName;
    }

    /** The resource manager with this id, or {@code null} for an id PostgreSQL 15 has no built-in for. */
    public static ResourceManager byId(int rmid) {
        return rmid >= 0 && rmid < BY_ID.length ? BY_ID[rmid] : null;
    }

    /** The record name {@code pg_waldump} prints for {@code xl_info}, e.g. {@code INSERT+INIT}, {@code UNKNOWN (f0)}. */
    public String identify(int info) {
        String name = RecordNames.identify(this, info & 0xFF);
        return name != null ? name : "UNKNOWN (" + Integer.toHexString(info & 0xF0) + ")";
    }

    @Override
    public String toString() {
        return waldumpName;
    }
}
