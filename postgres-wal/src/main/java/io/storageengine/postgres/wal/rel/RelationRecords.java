package io.storageengine.postgres.wal.rel;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelFork;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one PostgreSQL 15 WAL record into the {@link RelationChange}s its redo makes to relation
 * files. Layouts (PostgreSQL 15.18 headers; little-endian; no padding between the parts a record
 * registers):
 *
 * <ul>
 *   <li>every block reference → {@link RelationChange.Write} of that block;</li>
 *   <li>Storage (rmid 2) CREATE 0x10, {@code xl_smgr_create}: spcNode, dbNode, relNode (u32 each),
 *       forkNum (i32) → {@link RelationChange.Create};</li>
 *   <li>Storage TRUNCATE 0x20, {@code xl_smgr_truncate}: blkno (u32), spcNode, dbNode, relNode,
 *       flags (i32: HEAP 1, VM 2, FSM 4) → {@link RelationChange.Truncate};</li>
 *   <li>Transaction (rmid 1) COMMIT 0x00, ABORT 0x20, COMMIT_PREPARED 0x30, ABORT_PREPARED 0x40
 *       (opmask 0x70): {@code xact_time} (8); if info has HAS_INFO (0x80) {@code xinfo} (u32);
 *       then, by xinfo bits, dbinfo (8, bit 0), subxacts (i32 n + n × 4, bit 1), relfilenodes
 *       (i32 n + n × 12, bit 2) → {@link RelationChange.Drop}. Later parts (stats, invalidations,
 *       two-phase, origin) are not needed. PREPARE drops nothing (its COMMIT/ABORT PREPARED does);</li>
 *   <li>Database (rmid 4) CREATE_FILE_COPY 0x00: db, tablespace, src db, src tablespace (u32 each)
 *       → {@link RelationChange.CopyDatabase}; CREATE_WAL_LOG 0x10: nothing (the relations follow
 *       as Storage CREATE records and page images); DROP 0x20: db (u32), n (i32), n tablespaces
 *       → {@link RelationChange.DropDatabase}.</li>
 * </ul>
 *
 * Every other record contributes its block references only. Stateless.
 */
public final class RelationRecords {
    public static final int RM_XACT_ID = 1;
    public static final int RM_SMGR_ID = 2;
    public static final int RM_DBASE_ID = 4;

    static final int XLR_INFO_MASK = 0x0F;
    static final int XLOG_SMGR_CREATE = 0x10;
    static final int XLOG_SMGR_TRUNCATE = 0x20;
    static final int SMGR_TRUNCATE_HEAP = 0x1;
    static final int SMGR_TRUNCATE_VM = 0x2;
    static final int SMGR_TRUNCATE_FSM = 0x4;
    static final int XLOG_XACT_OPMASK = 0x70;
    static final int XLOG_XACT_HAS_INFO = 0x80;
    static final int XLOG_XACT_COMMIT = 0x00;
    static final int XLOG_XACT_ABORT = 0x20;
    static final int XLOG_XACT_COMMIT_PREPARED = 0x30;
    static final int XLOG_XACT_ABORT_PREPARED = 0x40;
    static final int XACT_XINFO_HAS_DBINFO = 1;
    static final int XACT_XINFO_HAS_SUBXACTS = 1 << 1;
    static final int XACT_XINFO_HAS_RELFILENODES = 1 << 2;
    static final int XLOG_DBASE_CREATE_FILE_COPY = 0x00;
    static final int XLOG_DBASE_CREATE_WAL_LOG = 0x10;
    static final int XLOG_DBASE_DROP = 0x20;

    private static final int REL_FILE_NODE_SIZE = 12;

    private RelationRecords() {
    }

    /**
     * The changes of one record, block writes first (in block-reference order), then what its main
     * data says.
     *
     * @param endLsn   the record's end LSN (for error messages)
     * @param info     the record's {@code xl_info} byte
     * @param mainData the main data; read from its position, not modified
     * @throws MalformedRelationRecordException if the main data does not fit its kind
     */
    public static List<RelationChange> parse(long endLsn, int rmid, int info, ByteBuffer mainData, List<PageRef> blocks) {
        List<RelationChange> out = new ArrayList<>(blocks.size() + 1);
        for (PageRef b : blocks) {
            out.add(new RelationChange.Write(RelFork.of(b), b.block()));
        }
        ByteBuffer d = mainData.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        RelationChange c = switch (rmid) {
            case RM_SMGR_ID -> smgr(endLsn, info & ~XLR_INFO_MASK, d);
            case RM_XACT_ID -> xact(endLsn, info, d);
            case RM_DBASE_ID -> dbase(endLsn, info & ~XLR_INFO_MASK, d);
            default -> null;
        };
        if (c != null) {
            out.add(c);
        }
        return out;
    }

    /** True if records of this resource manager and info can change relation files beyond their blocks. */
    public static boolean hasMainDataEffect(int rmid, int info) {
        return switch (rmid) {
            case RM_SMGR_ID -> true;
            case RM_XACT_ID -> isXactEnd(info & XLOG_XACT_OPMASK);
            case RM_DBASE_ID -> (info & ~XLR_INFO_MASK) != XLOG_DBASE_CREATE_WAL_LOG;
            default -> false;
        };
    }

    private static RelationChange smgr(long lsn, int op, ByteBuffer d) {
        if (op == XLOG_SMGR_CREATE) {
            need(lsn, d, 16, "Storage CREATE (xl_smgr_create is 16 bytes)");
            RelFile rel = relFile(d);
            int fork = d.getInt();
            if (fork < 0 || fork >= RelFork.FORKS) {
                throw new MalformedRelationRecordException(lsn, "Storage CREATE of " + rel + " names fork " + fork);
            }
            return new RelationChange.Create(rel.fork(fork));
        }
        if (op == XLOG_SMGR_TRUNCATE) {
            need(lsn, d, 20, "Storage TRUNCATE (xl_smgr_truncate is 20 bytes)");
            long blkno = Integer.toUnsignedLong(d.getInt());
            RelFile rel = relFile(d);
            int flags = d.getInt();
            return new RelationChange.Truncate(rel, blkno, (flags & SMGR_TRUNCATE_HEAP) != 0,
                    (flags & SMGR_TRUNCATE_FSM) != 0, (flags & SMGR_TRUNCATE_VM) != 0);
        }
        throw new MalformedRelationRecordException(lsn, "unknown Storage record info 0x" + Integer.toHexString(op));
    }

    private static boolean isXactEnd(int op) {
        return op == XLOG_XACT_COMMIT || op == XLOG_XACT_ABORT || op == XLOG_XACT_COMMIT_PREPARED
                || op == XLOG_XACT_ABORT_PREPARED;
    }

    private static RelationChange xact(long lsn, int info, ByteBuffer d) {
        int op = info & XLOG_XACT_OPMASK;
        if (!isXactEnd(op)) {
            return null; // PREPARE, ASSIGNMENT, INVALIDATIONS: no relation files change
        }
        String what = switch (op) {
            case XLOG_XACT_COMMIT -> "Transaction COMMIT";
            case XLOG_XACT_ABORT -> "Transaction ABORT";
            case XLOG_XACT_COMMIT_PREPARED -> "Transaction COMMIT_PREPARED";
            default -> "Transaction ABORT_PREPARED";
        };
        need(lsn, d, 8, what + " (xact_time)");
        d.position(d.position() + 8);
        if ((info & XLOG_XACT_HAS_INFO) == 0) {
            return null;
        }
        need(lsn, d, 4, what + " (xinfo)");
        int xinfo = d.getInt();
        if ((xinfo & XACT_XINFO_HAS_RELFILENODES) == 0) {
            return null;
        }
        if ((xinfo & XACT_XINFO_HAS_DBINFO) != 0) {
            need(lsn, d, 8, what + " (dbinfo)");
            d.position(d.position() + 8);
        }
        if ((xinfo & XACT_XINFO_HAS_SUBXACTS) != 0) {
            int n = count(lsn, d, what + " subxacts");
            need(lsn, d, (long) n * 4, what + " (" + n + " subxacts)");
            d.position(d.position() + n * 4);
        }
        int nrels = count(lsn, d, what + " relfilenodes");
        need(lsn, d, (long) nrels * REL_FILE_NODE_SIZE, what + " (" + nrels + " relfilenodes)");
        List<RelFile> rels = new ArrayList<>(nrels);
        for (int i = 0; i < nrels; i++) {
            rels.add(relFile(d));
        }
        return new RelationChange.Drop(rels);
    }

    private static RelationChange dbase(long lsn, int op, ByteBuffer d) {
        return switch (op) {
            case XLOG_DBASE_CREATE_FILE_COPY -> {
                need(lsn, d, 16, "Database CREATE_FILE_COPY (16 bytes)");
                int db = d.getInt();
                int spc = d.getInt();
                int srcDb = d.getInt();
                int srcSpc = d.getInt();
                yield new RelationChange.CopyDatabase(db, spc, srcDb, srcSpc);
            }
            case XLOG_DBASE_CREATE_WAL_LOG -> null;
            case XLOG_DBASE_DROP -> {
                need(lsn, d, 4, "Database DROP (db_id)");
                int db = d.getInt();
                int n = count(lsn, d, "Database DROP tablespaces");
                need(lsn, d, (long) n * 4, "Database DROP (" + n + " tablespaces)");
                List<Integer> spcs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    spcs.add(d.getInt());
                }
                yield new RelationChange.DropDatabase(db, spcs);
            }
            default -> throw new MalformedRelationRecordException(lsn,
                    "unknown Database record info 0x" + Integer.toHexString(op));
        };
    }

    private static RelFile relFile(ByteBuffer d) {
        return new RelFile(d.getInt(), d.getInt(), d.getInt());
    }

    private static int count(long lsn, ByteBuffer d, String what) {
        need(lsn, d, 4, what + " (count)");
        int n = d.getInt();
        if (n < 0) {
            throw new MalformedRelationRecordException(lsn, what + ": negative count " + n);
        }
        return n;
    }

    private static void need(long lsn, ByteBuffer d, long bytes, String what) {
        if (d.remaining() < bytes) {
            throw new MalformedRelationRecordException(lsn, what + ": main data has " + d.remaining()
                    + " bytes left, needs " + bytes);
        }
    }
}
