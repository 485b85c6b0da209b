package io.storageengine.catalog.connection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failsafe.CircuitBreaker;
import io.storageengine.catalog.CatalogConflictException;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.CatalogUnavailableException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which failures the primary path retries, how often, and what the breaker makes of server failures. */
class WriteRetryTest {
    final FakeDataSource ds = new FakeDataSource();

    Pool pool(int breakerFailures) {
        return new Pool("primary", false, "fake:1", ds, Pool.breaker("primary", breakerFailures, Duration.ofSeconds(30)),
                PoolStats.standard());
    }

    static WriteRetry retry(int attempts, Duration deadline) {
        return new WriteRetry(attempts, Duration.ofMillis(1), Duration.ofMillis(4), deadline);
    }

    @Test
    void permanentErrorsAreNotRetried() {
        for (String state : new String[] {"23505", "23503", "23514", "42P01", "22003"}) {
            AtomicInteger attempts = new AtomicInteger();
            WriteRetry r = retry(12, Duration.ofSeconds(10));
            assertThatThrownBy(() -> r.run("insert", pool(3), c -> {
                attempts.incrementAndGet();
                throw new SQLException("permanent", state);
            })).isInstanceOf(CatalogException.class).isNotInstanceOf(CatalogUnavailableException.class)
                    .hasMessageContaining(state);
            assertThat(attempts).as(state).hasValue(1);
            assertThat(r.retries()).isZero();
        }
        assertThat(ds.calls).contains("rollback").doesNotContain("commit");
    }

    @Test
    void exceptionsOfTheWorkItselfPassThroughAfterOneAttempt() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry(12, Duration.ofSeconds(10)).run("register", pool(3), c -> {
            attempts.incrementAndGet();
            throw new CatalogConflictException("taken");
        })).isInstanceOf(CatalogConflictException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void transientFailuresAreRetriedUntilTheySucceed() {
        for (String state : new String[] {"08006", "08001", "40001", "40P01", "57P01", "25006"}) {
            AtomicInteger attempts = new AtomicInteger();
            WriteRetry r = retry(12, Duration.ofSeconds(10));
            String out = r.run("write", pool(100), c -> {
                if (attempts.incrementAndGet() < 3) {
                    throw new SQLException("transient", state);
                }
                return "done";
            });
            assertThat(out).isEqualTo("done");
            assertThat(attempts).as(state).hasValue(3);
            assertThat(r.retries()).isEqualTo(2);
        }
        assertThat(ds.calls).contains("commit");
    }

    @Test
    void aSpentAttemptBudgetOrDeadlineMakesTheCatalogUnavailable() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry(4, Duration.ofSeconds(10)).run("write", pool(100), c -> {
            attempts.incrementAndGet();
            throw new SQLException("gone", "08006");
        })).isInstanceOf(CatalogUnavailableException.class).hasMessageContaining("08006");
        assertThat(attempts).hasValue(4);

        WriteRetry slow = new WriteRetry(1_000_000, Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> slow.run("write", pool(1_000_000), c -> {
            throw new SQLException("serialization", "40001");
        })).isInstanceOf(CatalogUnavailableException.class);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(250L, 2_000L);
        assertThat(slow.retries()).isBetween(3L, 30L);
    }

    @Test
    void serverFailuresOpenTheBreakerThenCallsFailFastWithoutAConnection() {
        Pool p = pool(3);
        ds.failGet = new SQLTransientConnectionException("pool timeout");
        WriteRetry r = retry(10, Duration.ofMillis(200));
        assertThatThrownBy(() -> r.run("write", p, c -> "x")).isInstanceOf(CatalogUnavailableException.class);
        assertThat(p.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(ds.gets).hasValue(3);
        assertThatThrownBy(() -> p.run(c -> "x")).isInstanceOf(dev.failsafe.CircuitBreakerOpenException.class);
        assertThat(ds.gets).hasValue(3);
        assertThat(p.stats().snapshot().errors()).isEqualTo(3);
    }

    @Test
    void constraintViolationsDoNotCountAgainstTheBreaker() {
        Pool p = pool(1);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> retry(5, Duration.ofSeconds(1)).run("w", p, c -> {
                throw new SQLException("dup", "23505");
            })).isInstanceOf(CatalogException.class);
        }
        assertThat(p.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void classification() {
        assertThat(TransientErrors.isTransient(new SQLException("x", "08003"))).isTrue();
        assertThat(TransientErrors.isTransient(new SQLException("x", "25006"))).isTrue();
        assertThat(TransientErrors.isTransient(new SQLException("wrapped", "XX000", new SocketException("reset")))).isTrue();
        assertThat(TransientErrors.isTransient(new SQLException("x", "23505"))).isFalse();
        assertThat(TransientErrors.isServerFailure(new SQLException("x", "40001"))).isFalse();
        assertThat(TransientErrors.isServerFailure(new SQLException("x", "57P01"))).isTrue();
        assertThat(TransientErrors.isReadOnly(new SQLException("x", "25006"))).isTrue();
    }

    @Test
    void aWriteWaitsForTheOutcomeOfATrialInFlightInsteadOfFailingFast() throws Exception {
        Pool p = pool(1);
        p.breaker().halfOpen();
        assertThat(p.breaker().tryAcquirePermit()).isTrue(); // someone else's trial (the probe's) in flight
        WriteRetry r = retry(1, Duration.ofSeconds(10)); // one attempt: failing fast would fail the write
        var write = java.util.concurrent.CompletableFuture.supplyAsync(() -> r.run("write", p, c -> 7));
        Thread.sleep(100);
        assertThat(write).isNotDone();
        p.breaker().recordSuccess(); // the trial succeeded: closed
        assertThat(write.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(p.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
