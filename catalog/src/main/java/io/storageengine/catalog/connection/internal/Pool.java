package io.storageengine.catalog.connection.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import io.storageengine.catalog.connection.ConnectionSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL server as the manager sees it: its HikariCP pool, the {@link Admission} in front
 * of it, its Failsafe circuit breaker and its {@link PoolStats}. {@link #run} is one attempt of one
 * transaction: an open breaker fails at once with {@link CircuitBreakerOpenException}; else the
 * caller waits its turn for admission, takes the breaker's permit and a connection, runs the work,
 * commits, and records the outcome. The acquisition time recorded is the caller's whole wait, from
 * the call to holding the connection (admission included). {@link #probe} is the same without
 * admission: the health probe uses the connection admission keeps free. Only server failures
 * ({@link TransientErrors#isServerFailure}) count against the breaker and the error rate; a
 * connection that failed that way is evicted, and a primary answering 25006 (it became a standby)
 * has all its connections soft-evicted so new ones find the new primary. Lag and role come from
 * the probe ({@link #lag}). Thread-safe.
 */
public final class Pool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

    private final String name;
    private final boolean replica;
    private final String server;
    private final DataSource dataSource;
    private final CircuitBreaker<Object> breaker;
    private final PoolStats stats;
    private final Admission admission;
    private volatile long lagMillis = -1;
    private volatile long lagBytes = -1;

    /** A pool with no admission limit (unit tests with a fake data source). */
    public Pool(String name, boolean replica, String server, DataSource dataSource, CircuitBreaker<Object> breaker,
                PoolStats stats) {
        this(name, replica, server, dataSource, breaker, stats, new Admission(Integer.MAX_VALUE, 0, Duration.ZERO));
    }

    public Pool(String name, boolean replica, String server, DataSource dataSource, CircuitBreaker<Object> breaker,
                PoolStats stats, Admission admission) {
        this.admission = admission;
        this.name = name;
        this.replica = replica;
        this.server = server;
        this.dataSource = dataSource;
        this.breaker = breaker;
        this.stats = stats;
    }

    /** A breaker opening after {@code failures} consecutive server failures, half-open after {@code delay}. */
    public static CircuitBreaker<Object> breaker(String name, int failures, Duration delay) {
        return CircuitBreaker.builder()
                .withFailureThreshold(failures)
                .withDelay(delay)
                .withSuccessThreshold(1)
                .onOpen(e -> LOG.warn("catalog pool {}: circuit breaker OPEN (calls fail fast for {})", name, delay))
                .onHalfOpen(e -> LOG.info("catalog pool {}: circuit breaker HALF_OPEN (one trial call)", name))
                .onClose(e -> LOG.info("catalog pool {}: circuit breaker CLOSED", name))
                .build();
    }

    public String name() {
        return name;
    }

    public boolean replica() {
        return replica;
    }

    public String server() {
        return server;
    }

    public PoolStats stats() {
        return stats;
    }

    public CircuitBreaker<Object> breaker() {
        return breaker;
    }

    public long lagMillis() {
        return lagMillis;
    }

    public long lagBytes() {
        return lagBytes;
    }

    public Admission admission() {
        return admission;
    }

    /** Records a probe's lag (-1: unknown). */
    public void lag(long millis, long bytes) {
        lagMillis = millis;
        lagBytes = bytes;
        stats.lag(millis, bytes);
    }

    /**
     * One attempt: admission (first come, first served, up to the connection timeout), breaker
     * permit, connection, work, commit. An open breaker fails before any wait; a refused admission
     * ({@link Admission.Saturated}) is transient but not a server failure.
     */
    public <T> T run(ConnectionSource.Work<T> work) throws SQLException {
        if (breaker.isOpen() && breaker.getRemainingDelay().toNanos() > 0) {
            // open and not yet due for its trial (an elapsed delay turns HALF_OPEN only when a permit is asked)
            throw new CircuitBreakerOpenException(breaker);
        }
        long t0 = System.nanoTime();
        try {
            admission.enter(name);
        } catch (Admission.Saturated e) {
            acquired(System.nanoTime() - t0);
            throw e;
        }
        try {
            return attempt(work, t0);
        } finally {
            admission.exit();
        }
    }

    /** One attempt of the health probe: no admission (it uses the connection admission keeps free). */
    public <T> T probe(ConnectionSource.Work<T> work) throws SQLException {
        return attempt(work, System.nanoTime());
    }

    private <T> T attempt(ConnectionSource.Work<T> work, long t0) throws SQLException {
        if (!breaker.tryAcquirePermit()) {
            throw new CircuitBreakerOpenException(breaker);
        }
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException | RuntimeException e) {
            acquired(System.nanoTime() - t0);
            outcome(e);
            throw e;
        }
        acquired(System.nanoTime() - t0);
        try {
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
            }
            T result = work.run(c);
            c.commit();
            stats.succeeded();
            breaker.recordSuccess();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            rollbackQuietly(c);
            outcome(e);
            if (TransientErrors.isServerFailure(e)) {
                evict(c);
            } else if (!replica && TransientErrors.isReadOnly(e)) {
                evict(c);
                LOG.warn("catalog pool {}: the server answered as a standby (25006); reconnecting to find the primary", name);
                softEvictAll();
            }
            throw e;
        } finally {
            closeQuietly(c);
        }
    }

    private void acquired(long nanos) {
        stats.acquired(nanos);
    }

    private void outcome(Throwable e) {
        if (TransientErrors.isServerFailure(e)) {
            stats.failed();
            breaker.recordFailure();
        } else if (TransientErrors.isReadOnly(e)) {
            stats.failed();
            breaker.recordSuccess();
        } else {
            stats.succeeded();
            breaker.recordSuccess();
        }
    }

    /** Closes every idle connection now and every busy one when returned (after a failover). */
    public void softEvictAll() {
        HikariPoolMXBean mx = mxBean();
        if (mx != null) {
            mx.softEvictConnections();
        }
    }

    private void evict(Connection c) {
        if (dataSource instanceof HikariDataSource h) {
            h.evictConnection(c);
        }
    }

    private HikariPoolMXBean mxBean() {
        return dataSource instanceof HikariDataSource h && !h.isClosed() ? h.getHikariPoolMXBean() : null;
    }

    /** Connections: total, active, idle, callers waiting (for admission or in HikariCP; zeros when unknown). */
    public int[] connections() {
        HikariPoolMXBean mx = mxBean();
        if (mx == null) {
            return new int[] {0, 0, 0, admission.waiting()};
        }
        return new int[] {mx.getTotalConnections(), mx.getActiveConnections(), mx.getIdleConnections(),
                admission.waiting() + mx.getThreadsAwaitingConnection()};
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException ignored) {
            // a broken connection; it is evicted
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // returned to the pool or already gone
        }
    }

    @Override
    public void close() {
        if (dataSource instanceof HikariDataSource h) {
            h.close();
        }
    }
}
