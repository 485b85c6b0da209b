package io.storageengine.schemas.relation;

import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import java.nio.ByteBuffer;

/**
 * One fork of one PostgreSQL relation file: PostgreSQL's {@code RelFileLocator} plus a fork
 * number, i.e. a {@link PageRef} without its block. Immutable value type.
 *
 * <p>Wire form, 13 bytes big-endian: spcOid(4) | dbOid(4) | relNumber(4) | forkNum(1). OIDs are
 * unsigned 32-bit values held in {@code int}s.
 */
public record RelFork(int spcOid, int dbOid, int relNumber, int forkNum) {
    public static final int SIZE = 13;
    /** PostgreSQL's forks: main, fsm, vm, init. */
    public static final int FORKS = 4;

    public RelFork {
        if (forkNum < 0 || forkNum >= FORKS) {
            throw new IllegalArgumentException("fork number " + forkNum + " out of range 0-3");
        }
    }

    public static RelFork of(long spc, long db, long rel, Fork fork) {
        return new RelFork((int) spc, (int) db, (int) rel, fork.number());
    }

    /** The fork that holds {@code page}. */
    public static RelFork of(PageRef page) {
        return new RelFork(page.spcOid(), page.dbOid(), page.relNumber(), page.forkNum());
    }

    /** The same relation, another fork. */
    public RelFork withFork(int fork) {
        return new RelFork(spcOid, dbOid, relNumber, fork);
    }

    /** Same relation (spc, db, rel), whatever the fork. */
    public boolean sameRelation(RelFork o) {
        return spcOid == o.spcOid && dbOid == o.dbOid && relNumber == o.relNumber;
    }

    public static RelFork read(ByteBuffer b) {
        return new RelFork(b.getInt(), b.getInt(), b.getInt(), b.get() & 0xFF);
    }

    public void write(ByteBuffer b) {
        b.putInt(spcOid).putInt(dbOid).putInt(relNumber).put((byte) forkNum);
    }

    public long spc() {
        return Integer.toUnsignedLong(spcOid);
    }

    public long db() {
        return Integer.toUnsignedLong(dbOid);
    }

    public long rel() {
        return Integer.toUnsignedLong(relNumber);
    }

    public Fork fork() {
        return Fork.ofNumber(forkNum);
    }

    @Override
    public String toString() {
        return spc() + "/" + db() + "/" + rel() + "." + fork().label();
    }
}
