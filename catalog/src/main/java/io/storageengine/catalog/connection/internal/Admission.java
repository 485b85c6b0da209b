package io.storageengine.catalog.connection.internal;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control in front of one HikariCP pool. At most {@code permits} callers hold (or are
 * being handed) one of the pool's connections at once; the others wait here in arrival order (a
 * fair {@link Semaphore}: no barging, so a caller waits only for the callers ahead of it, and a
 * spike of thousands of virtual threads never queues inside HikariCP, whose hand-off spins while it
 * has waiters). A caller waits at most {@code timeout}; at most {@code maxWaiting} callers wait at
 * once, beyond that a caller is refused at once. Both refusals are a {@link Saturated}: transient
 * (a primary call retries it with backoff, a lag-tolerant read tries the next server) but not a
 * server failure (load never opens a circuit breaker).
 *
 * <p>The pool keeps one connection more than {@code permits} for the health probe, which bypasses
 * admission, so replication lag and the breaker's trial are still measured during a spike.
 * Memory: a counter and the semaphore's queue of waiting threads (at most {@code maxWaiting}).
 * Thread-safe; blocks by parking (no monitor held, no virtual-thread pinning).
 */
public final class Admission {
    /** The pool could not admit the caller: too many waiting, or no connection within the timeout. */
    public static final class Saturated extends SQLTransientException {
        private static final long serialVersionUID = 1L;

        Saturated(String message) {
            super(message);
        }
    }

    private final Semaphore permits;
    private final int capacity;
    private final int maxWaiting;
    private final long timeoutNanos;
    private final AtomicInteger waiting = new AtomicInteger();

    public Admission(int permits, int maxWaiting, Duration timeout) {
        if (permits < 1 || maxWaiting < 0) {
            throw new IllegalArgumentException("admission: permits must be >= 1 and max waiting >= 0, got " + permits + ", "
                    + maxWaiting);
        }
        this.permits = new Semaphore(permits, true);
        this.capacity = permits;
        this.maxWaiting = maxWaiting;
        this.timeoutNanos = timeout.toNanos();
    }

    /** For a pool of {@code poolSize} connections: all but one for callers (one is the probe's), at least one. */
    public static int callerPermits(int poolSize) {
        return Math.max(1, poolSize - 1);
    }

    /**
     * Waits for a permit (first come, first served) up to the timeout.
     *
     * @throws Saturated when {@code maxWaiting} callers already wait, or no permit came in time
     * @throws SQLException (state 57014, query canceled) when interrupted; the interrupt stays set
     */
    public void enter(String pool) throws SQLException {
        try {
            if (permits.tryAcquire(0, TimeUnit.NANOSECONDS)) {
                return; // a free permit and nobody ahead (the timed form honours fairness: no barging)
            }
        } catch (InterruptedException e) {
            throw interrupted(pool, e);
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            throw new Saturated("catalog pool " + pool + " saturated: " + maxWaiting + " callers already wait for its "
                    + capacity + " connections");
        }
        try {
            if (!permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new Saturated("catalog pool " + pool + ": no connection within " + Duration.ofNanos(timeoutNanos).toMillis()
                        + " ms (" + capacity + " in use, " + waiting.get() + " callers waiting)");
            }
        } catch (InterruptedException e) {
            throw interrupted(pool, e);
        } finally {
            waiting.decrementAndGet();
        }
    }

    private static SQLException interrupted(String pool, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new SQLException("interrupted while waiting for a connection of catalog pool " + pool, "57014", e);
    }

    /** Gives back the permit {@link #enter} took. */
    public void exit() {
        permits.release();
    }

    /** Callers waiting for a permit now. */
    public int waiting() {
        return waiting.get();
    }

    /** Permits held now. */
    public int inUse() {
        return capacity - permits.availablePermits();
    }

    public int capacity() {
        return capacity;
    }
}
