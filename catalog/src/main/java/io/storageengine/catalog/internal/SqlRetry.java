package io.storageengine.catalog.internal;

import io.storageengine.catalog.CatalogConnections;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.CatalogUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one catalog transaction with bounded retries and exponential backoff on transient failures:
 * SQL states of class 08 (connection), 57P01/57P02/57P03 (server shutdown, crash, starting),
 * 40001/40P01 (serialization failure, deadlock), 53300 (too many connections), and JDBC's
 * transient/recoverable exceptions (a pool timeout while the server restarts). Anything else
 * fails at once as a {@link CatalogException}; a spent budget raises
 * {@link CatalogUnavailableException}.
 *
 * <p>A failure can hide a commit that did succeed, so every transaction run through here must
 * be idempotent: repeating it after success must recognize the done work (callers check state
 * inside the transaction). Thread-safe.
 */
public final class SqlRetry {
    private static final Logger LOG = LoggerFactory.getLogger(SqlRetry.class);

    private final DataSource dataSource;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration budget;
    private final LongAdder retries = new LongAdder();

    public SqlRetry(DataSource dataSource, int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget) {
        this.dataSource = dataSource;
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.budget = budget;
    }

    /** How many attempts were retried since start (for metrics and tests). */
    public long retries() {
        return retries.sum();
    }

    public <T> T inTransaction(String what, CatalogConnections.Work<T> work) {
        long deadline = System.nanoTime() + budget.toNanos();
        long backoff = initialBackoff.toMillis();
        SQLException last = null;
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                last = e;
                if (!isTransient(e)) {
                    throw new CatalogException("catalog " + what + " failed: " + e.getMessage() + " (SQL state " + e.getSQLState() + ")", e);
                }
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (attempt >= maxAttempts || remainingMs <= 0) {
                    throw new CatalogUnavailableException("catalog unavailable: " + what + " failed " + attempt
                            + " times, last: " + e.getMessage() + " (SQL state " + e.getSQLState() + ")", e);
                }
                retries.increment();
                long sleep = Math.min(backoff, remainingMs);
                LOG.warn("catalog {} failed (attempt {}/{}, SQL state {}): {}; retrying in {} ms", what, attempt, maxAttempts,
                        e.getSQLState(), e.getMessage(), sleep);
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new CatalogUnavailableException("interrupted while retrying catalog " + what, last);
                }
                backoff = Math.min(backoff * 2, maxBackoff.toMillis());
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is likely broken; the pool evicts it
        }
    }

    /** True for failures that another attempt may not meet (see the class comment). */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("40001") || state.equals("40P01") || state.equals("53300")) {
                    return true;
                }
            }
            if (t instanceof java.io.IOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
