package io.storageengine.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.storageengine.catalog.internal.SqlRetry;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one place that knows how the catalog reaches PostgreSQL: a HikariCP pool built from
 * {@link CatalogConfig}, and the retry policy ({@link SqlRetry}) every catalog transaction runs
 * under. Every repository of this module ({@code SegmentMap}, {@code Leases}, {@code Offsets},
 * {@code Timelines}, {@code Jobs}, {@code SegmentFiles}) and the migrations go through
 * {@link #transaction}; nothing else opens a connection. A manager for a primary and replicas
 * (issue 13) replaces the body of this class: read-your-writes work stays on the primary, the
 * lag-tolerant reads can be routed elsewhere, the callers do not change.
 *
 * <p>Thread-safe; one instance per process (owned by {@link Catalog}), closed at shutdown.
 */
public final class CatalogConnections implements AutoCloseable {
    /** Work inside one transaction; the connection has auto-commit off and must not escape. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final HikariDataSource dataSource;
    private final SqlRetry retry;

    private CatalogConnections(HikariDataSource dataSource, SqlRetry retry) {
        this.dataSource = dataSource;
        this.retry = retry;
    }

    /**
     * Builds the pool. No connection is made yet (the pool does not fail when the server is down;
     * the first transaction waits for it within the retry budget).
     */
    public static CatalogConnections open(CatalogConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("se-catalog");
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.maxPoolSize());
        hc.setMinimumIdle(Math.min(1, config.maxPoolSize()));
        hc.setConnectionTimeout(config.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.max(250, config.connectionTimeout().toMillis() / 2));
        hc.setInitializationFailTimeout(-1);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, config.connectionTimeout().toSeconds())));
        hc.addDataSourceProperty("socketTimeout", "60");
        HikariDataSource ds = new HikariDataSource(hc);
        return new CatalogConnections(ds, new SqlRetry(ds, config.maxAttempts(), config.initialBackoff(), config.maxBackoff(),
                config.retryBudget()));
    }

    /**
     * Runs {@code work} as one transaction, retried on transient failures (see {@link SqlRetry}).
     * The work must be idempotent: a failure may hide a commit that succeeded.
     *
     * @param what names the call in logs and in {@link CatalogUnavailableException} messages
     * @throws CatalogUnavailableException once the retry budget is spent
     * @throws CatalogException for a failure that retrying cannot fix
     */
    public <T> T transaction(String what, Work<T> work) {
        return retry.inTransaction(what, work);
    }

    /** Attempts retried since open (for metrics and tests). */
    public long retries() {
        return retry.retries();
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
