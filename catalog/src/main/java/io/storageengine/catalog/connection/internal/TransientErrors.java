package io.storageengine.catalog.connection.internal;

import dev.failsafe.CircuitBreakerOpenException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Which failures are worth another attempt, and which say the server (not the statement) is in
 * trouble. Retried: SQL state class 08 (connection lost or refused), 57P01/57P02/57P03 (admin
 * shutdown, crash shutdown, starting up), 40001/40P01 (serialization failure, deadlock, also a
 * replica's recovery conflict), 25006 (read-only transaction: the server became a standby after
 * a failover), 53300 (too many connections), JDBC transient/recoverable exceptions (a pool
 * timeout), I/O errors and an open circuit breaker. Never retried: everything else (constraint
 * violations 23xxx, syntax, our own conflict checks). Stateless.
 */
public final class TransientErrors {
    private TransientErrors() {
    }

    /** True for failures another attempt may not meet. */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException || t instanceof IOException
                    || t instanceof CircuitBreakerOpenException) {
                return true;
            }
            String state = t instanceof SQLException s ? s.getSQLState() : null;
            if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                    || state.equals("57P03") || state.equals("40001") || state.equals("40P01") || state.equals("25006")
                    || state.equals("53300"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * True for failures that say the server or the path to it is unusable (they count against the
     * pool's circuit breaker): connection states 08, the 57P0x shutdowns, 53300, a pool timeout,
     * I/O errors. A serialization failure or a constraint violation does not.
     */
    public static boolean isServerFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof SQLRecoverableException
                    || t instanceof IOException) {
                return true;
            }
            String state = t instanceof SQLException s ? s.getSQLState() : null;
            if (state != null && (state.startsWith("08") || state.startsWith("57P") || state.equals("53300"))) {
                return true;
            }
        }
        return false;
    }

    /** True when the server answered as a standby (25006): the pool's connections point at the wrong server. */
    public static boolean isReadOnly(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && "25006".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
