package io.storageengine.pageservice.relations.internal;

import io.storageengine.schemas.wal.Lsn;
import java.util.Arrays;

/**
 * One relation fork's sizes by LSN: sorted LSNs (unsigned) with, for each, the block count from
 * that LSN on, or {@link #ABSENT} when the fork does not exist from there. Two primitive arrays,
 * 16 bytes an entry.
 *
 * <p>Bounded: at most {@code maxEntries}; when a put exceeds it (or the owner asks,
 * {@link #foldOldestHalf}), the oldest half is dropped and
 * {@link #floor()} rises to the oldest LSN kept: the answer below it is not known any more (the
 * reader answers 410, as below a GC horizon). {@link #trimBelow} drops what a GC horizon makes
 * unreachable without changing any answer at or above the horizon.
 *
 * <p>Thread-safe (synchronized): one writer (the follower), any number of readers.
 */
public final class ForkHistory {
    /** The value of an entry whose fork does not exist from its LSN on. */
    public static final long ABSENT = -1;
    /** {@link #lookup} result for an LSN below {@link #floor()}. */
    public static final long BELOW_FLOOR = -2;

    private final int maxEntries;
    private long[] lsns = new long[2];
    private long[] values = new long[2];
    private int size;
    private long floor;

    public ForkHistory(int maxEntries) {
        if (maxEntries < 2) {
            throw new IllegalArgumentException("maxEntries must be >= 2, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
    }

    /**
     * Records that from {@code lsn} on the fork has {@code value} blocks ({@link #ABSENT}: does not
     * exist). A put at an LSN already held replaces it (a replayed record). A put below the floor is
     * ignored.
     *
     * @return the change in the number of entries (-maxEntries/2..1)
     */
    public synchronized int put(long lsn, long value) {
        if (Lsn.isBefore(lsn, floor)) {
            return 0;
        }
        int i = search(lsn);
        if (i >= 0) {
            values[i] = value;
            return 0;
        }
        int at = -i - 1;
        if (size == lsns.length) {
            int cap = Math.min(Math.max(4, size * 2), maxEntries + 1);
            lsns = Arrays.copyOf(lsns, cap);
            values = Arrays.copyOf(values, cap);
        }
        System.arraycopy(lsns, at, lsns, at + 1, size - at);
        System.arraycopy(values, at, values, at + 1, size - at);
        lsns[at] = lsn;
        values[at] = value;
        size++;
        if (size > maxEntries) {
            return 1 - foldOldestHalf();
        }
        return 1;
    }

    /**
     * Drops the oldest half of the entries (none if fewer than two) and raises the floor to the
     * oldest kept. @return entries dropped
     */
    public synchronized int foldOldestHalf() {
        if (size < 2) {
            return 0;
        }
        int drop = size / 2;
        dropOldest(drop);
        floor = lsns[0];
        return drop;
    }

    /**
     * The fork's block count as of {@code lsn}: the value of the newest entry ≤ lsn;
     * {@link #ABSENT} if there is none (never seen, or not existing then); {@link #BELOW_FLOOR}
     * if lsn is below the floor.
     */
    public synchronized long lookup(long lsn) {
        if (Lsn.isBefore(lsn, floor)) {
            return BELOW_FLOOR;
        }
        int i = search(lsn);
        int at = i >= 0 ? i : -i - 2;
        return at < 0 ? ABSENT : values[at];
    }

    /**
     * Drops the entries older than the newest one at or below {@code horizon} (reads below the
     * horizon are refused, so they can never be asked).
     *
     * @return entries dropped
     */
    public synchronized int trimBelow(long horizon) {
        int i = search(horizon);
        int keepFrom = i >= 0 ? i : -i - 2;
        if (keepFrom <= 0) {
            return 0;
        }
        dropOldest(keepFrom);
        return keepFrom;
    }

    /** True if this history answers {@link #ABSENT} for every LSN ≥ {@code horizon}: it can go. */
    public synchronized boolean goneAt(long horizon) {
        return size == 0 || (values[size - 1] == ABSENT && !Lsn.isAfter(lsns[size - 1], horizon));
    }

    public synchronized int size() {
        return size;
    }

    /** Oldest LSN whose answer is known (0: all). */
    public synchronized long floor() {
        return floor;
    }

    private void dropOldest(int n) {
        System.arraycopy(lsns, n, lsns, 0, size - n);
        System.arraycopy(values, n, values, 0, size - n);
        size -= n;
    }

    /** Binary search by unsigned LSN: index if found, else -(insertion point) - 1. */
    private int search(long lsn) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Lsn.compare(lsns[mid], lsn);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }
}
