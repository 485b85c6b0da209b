package io.storageengine.catalog.connection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a repository's queries run: {@link ConnectionManager#primary()} (writes and reads that
 * must see the caller's own writes) or {@link ConnectionManager#lagTolerant()} (reads that accept
 * a replica up to the lag bound behind). Each call is one transaction on one pooled connection.
 * Implementations are thread-safe.
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
}
