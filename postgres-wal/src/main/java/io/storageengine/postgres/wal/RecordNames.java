package io.storageengine.postgres.wal;

/**
 * The {@code rm_identify} tables of PostgreSQL 15's {@code access/rmgrdesc/*.c}: record names as
 * {@code pg_waldump} prints them. Stateless.
 */
final class RecordNames {

    private RecordNames() {
    }

    /** The name for {@code info} (the whole {@code xl_info} byte), or {@code null} when PostgreSQL has none. */
    static String identify(ResourceManager rmgr, int info) {
        int op = info & 0xF0;
        return switch (rmgr) {
            case XLOG -> switch (op) {
                case 0x00 -> "CHECKPOINT_SHUTDOWN";
                case 0x10 -> "CHECKPOINT_ONLINE";
                case 0x20 -> "NOOP";
                case 0x30 -> "NEXTOID";
                case 0x40 -> "SWITCH";
                case 0x50 -> "BACKUP_END";
                case 0x60 -> "PARAMETER_CHANGE";
                case 0x70 -> "RESTORE_POINT";
                case 0x80 -> "FPW_CHANGE";
                case 0x90 -> "END_OF_RECOVERY";
                case 0xA0 -> "FPI_FOR_HINT";
                case 0xB0 -> "FPI";
                case 0xD0 -> "OVERWRITE_CONTRECORD";
                default -> null;
            };
            case TRANSACTION -> switch (info & 0x70) {
                case 0x00 -> "COMMIT";
                case 0x10 -> "PREPARE";
                case 0x20 -> "ABORT";
                case 0x30 -> "COMMIT_PREPARED";
                case 0x40 -> "ABORT_PREPARED";
                case 0x50 -> "ASSIGNMENT";
                case 0x60 -> "INVALIDATION";
                default -> null;
            };
            case STORAGE -> switch (op) {
                case 0x10 -> "CREATE";
                case 0x20 -> "TRUNCATE";
                default -> null;
            };
            case CLOG -> switch (op) {
                case 0x00 -> "ZEROPAGE";
                case 0x10 -> "TRUNCATE";
                default -> null;
            };
            case DATABASE -> switch (op) {
                case 0x00 -> "CREATE_FILE_COPY";
                case 0x10 -> "CREATE_WAL_LOG";
                case 0x20 -> "DROP";
                default -> null;
            };
            case TABLESPACE -> switch (op) {
                case 0x00 -> "CREATE";
                case 0x10 -> "DROP";
                default -> null;
            };
            case MULTI_XACT -> switch (op) {
                case 0x00 -> "ZERO_OFF_PAGE";
                case 0x10 -> "ZERO_MEM_PAGE";
                case 0x20 -> "CREATE_ID";
                case 0x30 -> "TRUNCATE_ID";
                default -> null;
            };
            case REL_MAP -> op == 0x00 ? "UPDATE" : null;
            case STANDBY -> switch (op) {
                case 0x00 -> "LOCK";
                case 0x10 -> "RUNNING_XACTS";
                case 0x20 -> "INVALIDATIONS";
                default -> null;
            };
            case HEAP2 -> switch (op) {
                case 0x00 -> "REWRITE";
                case 0x10 -> "PRUNE";
                case 0x20 -> "VACUUM";
                case 0x30 -> "FREEZE_PAGE";
                case 0x40 -> "VISIBLE";
                case 0x50 -> "MULTI_INSERT";
                case 0xD0 -> "MULTI_INSERT+INIT";
                case 0x60 -> "LOCK_UPDATED";
                case 0x70 -> "NEW_CID";
                default -> null;
            };
            case HEAP -> switch (op) {
                case 0x00 -> "INSERT";
                case 0x80 -> "INSERT+INIT";
                case 0x10 -> "DELETE";
                case 0x20 -> "UPDATE";
                case 0xA0 -> "UPDATE+INIT";
                case 0x40 -> "HOT_UPDATE";
                case 0xC0 -> "HOT_UPDATE+INIT";
                case 0x30 -> "TRUNCATE";
                case 0x50 -> "HEAP_CONFIRM";
                case 0x60 -> "LOCK";
                case 0x70 -> "INPLACE";
                default -> null;
            };
            case BTREE -> switch (op) {
                case 0x00 -> "INSERT_LEAF";
                case 0x10 -> "INSERT_UPPER";
                case 0x20 -> "INSERT_META";
                case 0x30 -> "SPLIT_L";
                case 0x40 -> "SPLIT_R";
                case 0x50 -> "INSERT_POST";
                case 0x60 -> "DEDUP";
                case 0x70 -> "DELETE";
                case 0x80 -> "UNLINK_PAGE";
                case 0x90 -> "UNLINK_PAGE_META";
                case 0xA0 -> "NEWROOT";
                case 0xB0 -> "MARK_PAGE_HALFDEAD";
                case 0xC0 -> "VACUUM";
                case 0xD0 -> "REUSE_PAGE";
                case 0xE0 -> "META_CLEANUP";
                default -> null;
            };
            case HASH -> switch (op) {
                case 0x00 -> "INIT_META_PAGE";
                case 0x10 -> "INIT_BITMAP_PAGE";
                case 0x20 -> "INSERT";
                case 0x30 -> "ADD_OVFL_PAGE";
                case 0x40 -> "SPLIT_ALLOCATE_PAGE";
                case 0x50 -> "SPLIT_PAGE";
                case 0x60 -> "SPLIT_COMPLETE";
                case 0x70 -> "MOVE_PAGE_CONTENTS";
                case 0x80 -> "SQUEEZE_PAGE";
                case 0x90 -> "DELETE";
                case 0xA0 -> "SPLIT_CLEANUP";
                case 0xB0 -> "UPDATE_META_PAGE";
                case 0xC0 -> "VACUUM_ONE_PAGE";
                default -> null;
            };
            case GIN -> switch (op) {
                case 0x10 -> "CREATE_PTREE";
                case 0x20 -> "INSERT";
                case 0x30 -> "SPLIT";
                case 0x40 -> "VACUUM_PAGE";
                case 0x50 -> "DELETE_PAGE";
                case 0x60 -> "UPDATE_META_PAGE";
                case 0x70 -> "INSERT_LISTPAGE";
                case 0x80 -> "DELETE_LISTPAGE";
                case 0x90 -> "VACUUM_DATA_LEAF_PAGE";
                default -> null;
            };
            case GIST -> switch (op) {
                case 0x00 -> "PAGE_UPDATE";
                case 0x10 -> "DELETE";
                case 0x20 -> "PAGE_REUSE";
                case 0x30 -> "PAGE_SPLIT";
                case 0x60 -> "PAGE_DELETE";
                case 0x70 -> "ASSIGN_LSN";
                default -> null;
            };
            case SEQUENCE -> op == 0x00 ? "LOG" : null;
            case SPGIST -> switch (op) {
                case 0x10 -> "ADD_LEAF";
                case 0x20 -> "MOVE_LEAFS";
                case 0x30 -> "ADD_NODE";
                case 0x40 -> "SPLIT_TUPLE";
                case 0x50 -> "PICKSPLIT";
                case 0x60 -> "VACUUM_LEAF";
                case 0x70 -> "VACUUM_ROOT";
                case 0x80 -> "VACUUM_REDIRECT";
                default -> null;
            };
            case BRIN -> switch (op) {
                case 0x00 -> "CREATE_INDEX";
                case 0x10 -> "INSERT";
                case 0x90 -> "INSERT+INIT";
                case 0x20 -> "UPDATE";
                case 0xA0 -> "UPDATE+INIT";
                case 0x30 -> "SAMEPAGE_UPDATE";
                case 0x40 -> "REVMAP_EXTEND";
                case 0x50 -> "DESUMMARIZE";
                default -> null;
            };
            // commit_ts_identify and replorigin_identify switch on the whole info byte
            case COMMIT_TS -> switch (info) {
                case 0x00 -> "ZEROPAGE";
                case 0x10 -> "TRUNCATE";
                default -> null;
            };
            case REPLICATION_ORIGIN -> switch (info) {
                case 0x00 -> "SET";
                case 0x10 -> "DROP";
                default -> null;
            };
            case GENERIC -> "Generic";
            case LOGICAL_MESSAGE -> op == 0x00 ? "MESSAGE" : null;
        };
    }
}
