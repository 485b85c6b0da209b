package io.storageengine.postgres.redo.internal;

/** PostgreSQL transaction id arithmetic (32-bit, modulo 2^32; ids below 3 are special). Stateless. */
public final class Xid {

    public static final int INVALID = 0;
    public static final int FROZEN = 2;
    public static final int FIRST_NORMAL = 3;

    private Xid() {
    }

    public static boolean isNormal(int xid) {
        return Integer.compareUnsigned(xid, FIRST_NORMAL) >= 0;
    }

    /** TransactionIdPrecedes. */
    public static boolean precedes(int id1, int id2) {
        if (!isNormal(id1) || !isNormal(id2)) {
            return Integer.compareUnsigned(id1, id2) < 0;
        }
        return id1 - id2 < 0;
    }
}
