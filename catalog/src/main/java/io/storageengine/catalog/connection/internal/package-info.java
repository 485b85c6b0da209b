/**
 * How the connection manager works: {@link io.storageengine.catalog.connection.internal.Pool} (a
 * HikariCP pool, its Failsafe breaker and {@link io.storageengine.catalog.connection.internal.PoolStats}),
 * {@link io.storageengine.catalog.connection.internal.WriteRetry} (backoff with jitter, deadline),
 * {@link io.storageengine.catalog.connection.internal.ReadRouter} (round-robin with affinity),
 * {@link io.storageengine.catalog.connection.internal.ReplicationProbe} (lag and role every interval),
 * {@link io.storageengine.catalog.connection.internal.HealthRules} (score, trends, warning),
 * {@link io.storageengine.catalog.connection.internal.TransientErrors} (what is retried, what opens a
 * breaker) and {@link io.storageengine.catalog.connection.internal.JdbcUrls} (the failover URL).
 * Not an API. Thread-safety is stated per class.
 */
package io.storageengine.catalog.connection.internal;
