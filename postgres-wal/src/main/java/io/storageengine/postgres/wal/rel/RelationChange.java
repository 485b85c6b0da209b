package io.storageengine.postgres.wal.rel;

import io.storageengine.schemas.relation.RelFork;
import java.util.List;

/**
 * What one WAL record does to relation files, as PostgreSQL 15's redo does it. Sealed: the
 * tracker switches over every kind. Immutable.
 */
public sealed interface RelationChange {

    /** A block reference: redo reads (and so creates and extends) the fork up to {@code block}. */
    record Write(RelFork fork, long block) implements RelationChange {
    }

    /** {@code XLOG_SMGR_CREATE}: the fork exists (unchanged if it did already). */
    record Create(RelFork fork) implements RelationChange {
    }

    /**
     * {@code XLOG_SMGR_TRUNCATE}: the main fork is created if missing, then the forks named by
     * the flags are cut to what the heap's new length {@code blkno} needs (never extended).
     */
    record Truncate(RelFile rel, long blkno, boolean main, boolean fsm, boolean vm) implements RelationChange {
    }

    /** Transaction end (commit or abort, prepared or not) that unlinks every fork of these relations. */
    record Drop(List<RelFile> rels) implements RelationChange {
        public Drop {
            rels = List.copyOf(rels);
        }
    }

    /** {@code XLOG_DBASE_DROP}: the database's directory in each of these tablespaces goes. */
    record DropDatabase(int dbOid, List<Integer> spcOids) implements RelationChange {
        public DropDatabase {
            spcOids = List.copyOf(spcOids);
        }
    }

    /**
     * {@code XLOG_DBASE_CREATE_FILE_COPY}: the source database's directory is copied file by file
     * (the {@code WAL_LOG} strategy, PostgreSQL 15's default, logs each relation instead).
     */
    record CopyDatabase(int dbOid, int spcOid, int srcDbOid, int srcSpcOid) implements RelationChange {
    }
}
