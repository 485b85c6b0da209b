package io.storageengine.postgres.wal.rel;

import io.storageengine.schemas.relation.RelFork;

/**
 * A relation file set, PostgreSQL 15's {@code RelFileNode} (tablespace, database, relfilenode):
 * all forks of one relation. Immutable value type; OIDs are unsigned 32-bit values in ints.
 */
public record RelFile(int spcOid, int dbOid, int relNumber) {
    public RelFork fork(int fork) {
        return new RelFork(spcOid, dbOid, relNumber, fork);
    }

    public static RelFile of(RelFork fork) {
        return new RelFile(fork.spcOid(), fork.dbOid(), fork.relNumber());
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(spcOid) + "/" + Integer.toUnsignedString(dbOid) + "/"
                + Integer.toUnsignedString(relNumber);
    }
}
