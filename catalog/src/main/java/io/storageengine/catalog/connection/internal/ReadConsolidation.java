package io.storageengine.catalog.connection.internal;

import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.CatalogUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Query consolidation ("single-flight", as Vitess does for replica reads) of identical lag-tolerant
 * reads. The first caller of a key leads a <i>flight</i>: it runs the read ({@link Call}) while the
 * flight is open; callers of the same key that arrive while it is open join it and get the
 * leader's result (or failure) instead of running their own. The leader's read closes the flight
 * through {@code started} when it holds a connection, just before its query executes: a caller
 * arriving later starts a new flight, so no caller ever gets a result whose snapshot was taken
 * before it called. One leader's call includes its routing and retries; joined callers get what it
 * finally returns or throws (a failure: a fresh exception of the same catalog kind, the leader's as
 * cause).
 *
 * <p>Bounded: at most {@code maxKeys} open flights (distinct keys waiting); a caller of a new key
 * beyond that runs its read plainly, alone (counted as {@link #overflows}). {@code maxKeys} 0 turns
 * consolidation off. Joined callers hold no memory of their own beyond their parked thread. Results
 * are shared, so callers must return immutable values. Thread-safe, lock-free (a concurrent map
 * and one counter per flight); joined callers park on the leader's future.
 */
public final class ReadConsolidation {
    /** A leader's read; it calls {@code started} when it holds a connection, before its query runs (may be called again on a retry). */
    @FunctionalInterface
    public interface Call<R> {
        R run(Runnable started);
    }

    private static final Runnable NOTHING = () -> { };

    /** One open or finished flight: the leader's future and how many joined (-1 once closed to joiners). */
    private static final class Flight {
        final CompletableFuture<Object> result = new CompletableFuture<>();
        final AtomicInteger joined = new AtomicInteger();

        boolean join() {
            for (;;) {
                int n = joined.get();
                if (n < 0) {
                    return false;
                }
                if (joined.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }
    }

    private final int maxKeys;
    private final ConcurrentHashMap<Object, Flight> open = new ConcurrentHashMap<>();
    private final AtomicInteger openKeys = new AtomicInteger();
    private final LongAdder consolidated = new LongAdder();
    private final LongAdder leaders = new LongAdder();
    private final LongAdder overflows = new LongAdder();

    /** @param maxKeys the most flights open at once (0: consolidation off, every read runs alone) */
    public ReadConsolidation(int maxKeys) {
        if (maxKeys < 0) {
            throw new IllegalArgumentException("catalog.consolidate-max-keys must be >= 0, got " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    /**
     * Runs {@code call} for {@code key}, or joins the open flight of an equal key and returns its
     * result. Keys compare with {@code equals}; equal keys must mean the same query and result type.
     */
    @SuppressWarnings("unchecked")
    public <R> R run(Object key, Call<R> call) {
        if (maxKeys == 0) {
            return call.run(NOTHING);
        }
        for (;;) {
            Flight f = open.get(key);
            if (f == null) {
                if (openKeys.incrementAndGet() > maxKeys) {
                    openKeys.decrementAndGet();
                    overflows.increment();
                    return call.run(NOTHING);
                }
                Flight mine = new Flight();
                f = open.putIfAbsent(key, mine);
                if (f == null) {
                    return lead(key, mine, call);
                }
                openKeys.decrementAndGet();
            }
            if (f.join()) {
                consolidated.increment();
                return (R) await(f);
            }
            close(key, f); // its leader started executing and is removing it: help, then lead a new one
        }
    }

    private <R> R lead(Object key, Flight f, Call<R> call) {
        leaders.increment();
        R r;
        try {
            r = call.run(() -> close(key, f));
        } catch (RuntimeException | Error e) {
            close(key, f);
            f.result.completeExceptionally(e);
            throw e;
        }
        close(key, f);
        f.result.complete(r);
        return r;
    }

    /** Closes the flight to joiners (idempotent), then takes it out of the map. */
    private void close(Object key, Flight f) {
        f.joined.getAndUpdate(n -> -1);
        if (open.remove(key, f)) {
            openKeys.decrementAndGet();
        }
    }

    private static Object await(Flight f) {
        try {
            return f.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CatalogException("interrupted while waiting for a consolidated catalog read", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof CatalogUnavailableException u) {
                throw new CatalogUnavailableException(u.getMessage(), u);
            }
            if (c != null && c.getClass() == CatalogException.class) {
                throw new CatalogException(c.getMessage(), c);
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new CatalogException("consolidated catalog read failed: " + c, c);
        }
    }

    /** Callers that joined another caller's read instead of running their own, since creation. */
    public long consolidated() {
        return consolidated.sum();
    }

    /** Reads that led a flight (ran the query for themselves and any joiners). */
    public long leaders() {
        return leaders.sum();
    }

    /** Reads run alone because {@code maxKeys} flights were already open. */
    public long overflows() {
        return overflows.sum();
    }

    /** Flights open now (keys waiting for a connection). */
    public int openKeys() {
        return openKeys.get();
    }

    public int maxKeys() {
        return maxKeys;
    }
}
