package io.storageengine.schemas.page;

import java.nio.ByteBuffer;

/**
 * Names one PostgreSQL page, as PostgreSQL's {@code BufferTag} does. Immutable.
 *
 * <p>Wire form, 17 bytes big-endian: spcOid(4) | dbOid(4) | relNumber(4) | forkNum(1) | blockNum(4).
 * OIDs and block numbers are unsigned 32-bit values held in {@code int}s.
 */
public record PageRef(int spcOid, int dbOid, int relNumber, int forkNum, int blockNum) {
    public static final int SIZE = 17;
    public static final int DEFAULT_TABLESPACE = 1663;

    public PageRef {
        if (forkNum < 0 || forkNum > 255) {
            throw new IllegalArgumentException("fork number " + forkNum + " out of range");
        }
    }

    public static PageRef of(long spc, long db, long rel, Fork fork, long block) {
        return new PageRef((int) spc, (int) db, (int) rel, fork.number(), (int) block);
    }

    public static PageRef read(ByteBuffer b) {
        return new PageRef(b.getInt(), b.getInt(), b.getInt(), b.get() & 0xFF, b.getInt());
    }

    public void write(ByteBuffer b) {
        b.putInt(spcOid).putInt(dbOid).putInt(relNumber).put((byte) forkNum).putInt(blockNum);
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

    public long block() {
        return Integer.toUnsignedLong(blockNum);
    }

    @Override
    public String toString() {
        return spc() + "/" + db() + "/" + rel() + "." + forkNum + "#" + block();
    }
}
