/**
 * Catalog connection management: one HikariCP pool per PostgreSQL server (the primary, any number
 * of streaming replicas), a Failsafe circuit breaker per pool, retries with exponential backoff and
 * jitter for transient failures, failover to a promoted replica without a restart, and per-pool
 * health (acquisition latency, error rate, replication lag, their trends, an early warning)
 * exposed as {@link io.storageengine.catalog.connection.PoolStatus} and Micrometer gauges.
 *
 * <p>{@link io.storageengine.catalog.connection.ConnectionManager} is the only class of the catalog
 * that makes a connection. The repositories get {@code primary()} for writes and read-your-writes
 * reads (leases, offsets, registration, the compactor's own snapshots) and {@code lagTolerant()}
 * for reads that accept a bounded lag (the page service's segment-map refresh, status reports);
 * those reads opt in to query consolidation ({@code readConsolidated} with a {@code QueryKey}):
 * identical reads waiting for a connection at once share one query.
 * The pooling, breakers, routing and probing live in {@code internal}. Everything here is
 * thread-safe.
 */
package io.storageengine.catalog.connection;
