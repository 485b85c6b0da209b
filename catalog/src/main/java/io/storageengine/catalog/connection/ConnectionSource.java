package io.storageengine.catalog.connection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a repository's queries run: {@link ConnectionManager#primary()} (writes and reads that
 * must see the caller's own writes) or {@link ConnectionManager#lagTolerant()} (reads that accept
 * a replica up to the lag bound behind). Each call is one transaction on one pooled connection.
 * A read that many callers issue at once (the page service's segment-map polling) may opt in to
 * query consolidation with {@link #readConsolidated}. Implementations are thread-safe.
 */
public interface ConnectionSource {

    /** Work inside one transaction; the connection has auto-commit off and must not escape. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} as one transaction. The work must be idempotent: a failure may hide a
     * commit that succeeded, and transient failures are retried.
     *
     * @param what names the call in logs and exception messages
     * @throws io.storageengine.catalog.CatalogUnavailableException once the retry deadline is spent
     * @throws io.storageengine.catalog.CatalogException for a failure that retrying cannot fix
     */
    <T> T transaction(String what, Work<T> work);

    /**
     * A read-only {@link #transaction} that may be answered together with identical reads: on
     * {@link ConnectionManager#lagTolerant()}, a call whose {@code key} equals that of a read still
     * WAITING for a connection (not yet executing) joins it and gets its result (or its failure)
     * instead of running its own; a call arriving once that read executes runs its own, so no caller
     * sees older data than it would alone. The result is handed to every joined caller: it must be
     * immutable (return {@code List.copyOf(...)}, records of values). Bounded: when
     * {@code catalog.consolidate-max-keys} distinct keys already wait, or consolidation is off
     * ({@code catalog.consolidate-reads: false}), this is a plain {@link #transaction}. This default
     * (the primary: reads that must see the caller's writes) never consolidates.
     *
     * @param key identifies the query: its SQL text and parameters ({@link QueryKey})
     */
    default <T> T readConsolidated(String what, QueryKey key, Work<T> work) {
        return transaction(what, work);
    }
}
