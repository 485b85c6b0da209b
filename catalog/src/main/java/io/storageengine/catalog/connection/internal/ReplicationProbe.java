package io.storageengine.catalog.connection.internal;

import dev.failsafe.CircuitBreakerOpenException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every pool every {@code interval} on one daemon thread: the primary's role and current
 * WAL LSN, then each replica's role, replay position and replay age, from which the replica's lag
 * is computed (the rule is on {@code PoolStatus}). The probes run through each pool like any call
 * (breaker permit, acquisition timed), so an idle pool's health still moves, and a probe is the
 * trial call that closes a half-open breaker. A primary pool found connected to a server in
 * recovery is soft-evicted (its new connections look for the primary). Thread-safe; stopped by
 * {@link #close}.
 */
public final class ReplicationProbe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationProbe.class);
    private static final String PRIMARY_SQL =
            "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END";
    private static final String REPLICA_SQL = """
            SELECT pg_is_in_recovery(),
                   pg_wal_lsn_diff(CAST(? AS pg_lsn), pg_last_wal_replay_lsn())::bigint,
                   COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
                   (extract(epoch FROM (now() - pg_last_xact_replay_timestamp())) * 1000)::bigint""";

    private final Pool primary;
    private final List<Pool> replicas;
    private final ScheduledExecutorService scheduler;

    public ReplicationProbe(Pool primary, List<Pool> replicas, Duration interval) {
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "se-catalog-probe");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::probeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round (also called by tests). */
    public void probeAll() {
        String primaryLsn = probePrimary();
        for (Pool r : replicas) {
            probeReplica(r, primaryLsn);
        }
    }

    private String probePrimary() {
        try {
            Object[] row = primary.run(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(PRIMARY_SQL)) {
                    rs.next();
                    return new Object[] {rs.getBoolean(1), rs.getString(2)};
                }
            });
            if ((Boolean) row[0]) {
                LOG.warn("catalog pool {}: connected to a server in recovery; reconnecting to find the primary", primary.name());
                primary.softEvictAll();
                return null;
            }
            return (String) row[1];
        } catch (SQLException | RuntimeException e) {
            logFailure(primary, e);
            return null;
        }
    }

    void probeReplica(Pool r, String primaryLsn) {
        try {
            long[] lag = r.run(c -> {
                try (PreparedStatement ps = c.prepareStatement(REPLICA_SQL)) {
                    ps.setString(1, primaryLsn);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        boolean inRecovery = rs.getBoolean(1);
                        long behind = rs.getLong(2);
                        boolean behindKnown = !rs.wasNull();
                        boolean replayedAll = rs.getBoolean(3);
                        long age = rs.getLong(4);
                        boolean ageKnown = !rs.wasNull();
                        return lagOf(inRecovery, behindKnown ? behind : null, primaryLsn != null, replayedAll,
                                ageKnown ? age : null);
                    }
                }
            });
            r.lag(lag[0], lag[1]);
        } catch (SQLException | RuntimeException e) {
            r.lag(-1, -1);
            logFailure(r, e);
        }
    }

    /**
     * {lag ms, lag bytes} by the rule on {@code PoolStatus}: a promoted server has none; a replica
     * that replayed the primary's LSN (or, with the primary unreachable, all it received) has none;
     * otherwise the age of its last replayed commit (unknown: -1).
     */
    static long[] lagOf(boolean inRecovery, Long behindBytes, boolean primaryKnown, boolean replayedAllReceived,
                        Long replayAgeMillis) {
        if (!inRecovery) {
            return new long[] {0, 0};
        }
        long bytes = behindBytes == null ? -1 : Math.max(0, behindBytes);
        if (primaryKnown && behindBytes != null && behindBytes <= 0) {
            return new long[] {0, 0};
        }
        if (!primaryKnown && replayedAllReceived) {
            return new long[] {0, bytes};
        }
        return new long[] {replayAgeMillis == null ? -1 : Math.max(0, replayAgeMillis), bytes};
    }

    private static void logFailure(Pool p, Throwable e) {
        if (e instanceof CircuitBreakerOpenException) {
            return; // already logged when it opened
        }
        LOG.debug("catalog pool {}: probe failed: {}", p.name(), e.toString());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
