package io.storageengine.catalog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.CatalogUnavailableException;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SqlRetryTest {

    /** A DataSource whose connections record commit/rollback calls and do nothing else. */
    static final class FakeDataSource implements DataSource {
        final List<String> calls = new ArrayList<>();

        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        calls.add(method.getName());
                        return null;
                    });
        }

        @Override
        public Connection getConnection(String u, String p) {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return null;
        }

        @Override
        public <T> T unwrap(Class<T> iface) {
            return null;
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    private static SqlRetry retry(FakeDataSource ds, int attempts) {
        return new SqlRetry(ds, attempts, Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofSeconds(10));
    }

    @Test
    void classifiesConnectionShutdownAndSerializationFailuresAsTransient() {
        for (String state : new String[] {"08006", "08001", "57P01", "57P02", "57P03", "40001", "40P01", "53300"}) {
            assertThat(SqlRetry.isTransient(new SQLException("x", state))).as(state).isTrue();
        }
        for (String state : new String[] {"23505", "42P01", "22003", "42601"}) {
            assertThat(SqlRetry.isTransient(new SQLException("x", state))).as(state).isFalse();
        }
        assertThat(SqlRetry.isTransient(new SQLTransientConnectionException("pool timeout"))).isTrue();
        assertThat(SqlRetry.isTransient(new SQLException("wrapped", null, new java.io.EOFException()))).isTrue();
    }

    @Test
    void retriesTransientFailuresThenSucceeds() {
        FakeDataSource ds = new FakeDataSource();
        SqlRetry r = retry(ds, 5);
        AtomicInteger calls = new AtomicInteger();
        int result = r.inTransaction("test", c -> {
            if (calls.incrementAndGet() < 3) {
                throw new SQLException("terminating connection due to administrator command", "57P01");
            }
            return 42;
        });
        assertThat(result).isEqualTo(42);
        assertThat(calls).hasValue(3);
        assertThat(r.retries()).isEqualTo(2);
        assertThat(ds.calls).containsSubsequence("rollback", "rollback", "commit");
    }

    @Test
    void givesUpWithCatalogUnavailableAfterTheAttempts() {
        SqlRetry r = retry(new FakeDataSource(), 3);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.inTransaction("test", c -> {
            calls.incrementAndGet();
            throw new SQLException("connection refused", "08001");
        })).isInstanceOf(CatalogUnavailableException.class).hasMessageContaining("3 times");
        assertThat(calls).hasValue(3);
    }

    @Test
    void doesNotRetryPermanentFailuresOrApplicationExceptions() {
        SqlRetry r = retry(new FakeDataSource(), 5);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.inTransaction("test", c -> {
            calls.incrementAndGet();
            throw new SQLException("duplicate key", "23505");
        })).isInstanceOf(CatalogException.class).isNotInstanceOf(CatalogUnavailableException.class);
        assertThatThrownBy(() -> r.inTransaction("test", c -> {
            calls.incrementAndGet();
            throw new IllegalStateException("app");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(calls).hasValue(2);
    }
}
