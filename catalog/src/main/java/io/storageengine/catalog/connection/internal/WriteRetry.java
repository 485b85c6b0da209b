package io.storageengine.catalog.connection.internal;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.CatalogUnavailableException;
import io.storageengine.catalog.connection.ConnectionSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a transaction on one pool with retries (a Failsafe {@link RetryPolicy}): only
 * {@linkplain TransientErrors#isTransient transient} failures are retried, with exponential
 * backoff from {@code initialBackoff} doubling to {@code maxBackoff}, ±50 % jitter (so writers
 * that failed together do not come back together), at most {@code maxAttempts} attempts and no new
 * attempt once {@code deadline} has passed since the first. A spent budget raises
 * {@link CatalogUnavailableException}; a permanent failure (a constraint violation, bad SQL)
 * raises {@link CatalogException} after one attempt; exceptions the work throws itself (the
 * catalog's conflict and stale-lease checks) pass through unchanged.
 *
 * <p>An attempt meeting the pool's open breaker waits for the breaker's trial when that comes
 * before the deadline (there is no other server for a write), and for the outcome of a trial in
 * flight; else fails fast.
 *
 * <p>Each attempt takes a fresh connection, so after a failover the retry lands on the new
 * primary. Work must be idempotent (a lost acknowledgement hides a commit). Thread-safe.
 */
public final class WriteRetry {
    private static final Logger LOG = LoggerFactory.getLogger(WriteRetry.class);

    private static final long TRIAL_POLL_MILLIS = 5;

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration deadline;
    private final LongAdder retries = new LongAdder();

    public WriteRetry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration deadline) {
        if (maxBackoff.compareTo(initialBackoff) <= 0) {
            maxBackoff = initialBackoff.plusMillis(1);
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.deadline = deadline;
    }

    /** Attempts retried since start (for metrics and tests). */
    public long retries() {
        return retries.sum();
    }

    public <T> T run(String what, Pool pool, ConnectionSource.Work<T> work) {
        RetryPolicy<T> policy = RetryPolicy.<T>builder()
                .handleIf(TransientErrors::isTransient)
                .withBackoff(initialBackoff, maxBackoff)
                .withJitter(0.5)
                .withMaxAttempts(maxAttempts)
                .withMaxDuration(deadline)
                .onRetry(e -> {
                    retries.increment();
                    Throwable f = e.getLastException();
                    LOG.warn("catalog {} on {} failed (attempt {}/{}, {}): {}; retrying", what, pool.name(), e.getAttemptCount(),
                            maxAttempts, state(f), f == null ? "" : f.getMessage());
                })
                .build();
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        try {
            return Failsafe.with(policy).get(() -> {
                awaitHalfOpen(pool, deadlineNanos);
                return pool.run(work);
            });
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new CatalogUnavailableException("interrupted while retrying catalog " + what, cause);
            }
            throw failure(what, cause); // a CircuitBreakerOpenException (no cause) included
        }
    }

    /**
     * An open breaker whose delay ends before the deadline: wait for its trial rather than spend
     * attempts failing fast (a write has no other server to go to). A trial already in flight
     * (half-open: another caller's or the health probe's, which often comes first since the probe
     * runs on the same beat as the delay): wait for its outcome, polling, until the deadline. Past
     * the deadline: fail fast.
     */
    private static void awaitHalfOpen(Pool pool, long deadlineNanos) throws InterruptedException {
        if (pool.breaker().isOpen()) {
            long wait = pool.breaker().getRemainingDelay().toNanos();
            if (wait > 0 && System.nanoTime() + wait < deadlineNanos) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        while (pool.breaker().isHalfOpen() && System.nanoTime() < deadlineNanos) {
            Thread.sleep(TRIAL_POLL_MILLIS);
        }
    }

    /** The exception a final failure becomes. */
    static CatalogException failure(String what, Throwable cause) {
        if (TransientErrors.isTransient(cause)) {
            return new CatalogUnavailableException("catalog unavailable: " + what + " failed, last: " + cause.getMessage()
                    + " (" + state(cause) + ")", cause);
        }
        return new CatalogException("catalog " + what + " failed: " + cause.getMessage() + " (" + state(cause) + ")", cause);
    }

    static String state(Throwable t) {
        if (t instanceof SQLException s) {
            return "SQL state " + s.getSQLState();
        }
        return t == null ? "no exception" : t.getClass().getSimpleName();
    }
}
