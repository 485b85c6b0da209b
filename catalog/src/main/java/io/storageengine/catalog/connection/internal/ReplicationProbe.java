package io.storageengine.catalog.connection.internal;

import dev.failsafe.CircuitBreakerOpenException;
import io.storageengine.schemas.wal.Lsn;
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
 * WAL LSN (recorded in a {@link LagClock}), then each replica's role and replay position, from
 * which its lag is computed (the rule is on {@link LagClock} and {@code PoolStatus}). The probes
 * run through each pool like any call (breaker permit, acquisition timed), so an idle pool's health
 * still moves, and a probe is the trial call that closes a half-open breaker; they bypass the pool's
 * {@link Admission} (it keeps one connection free for them), so a load spike that fills the pool
 * does not make the lag unknown (which would take a healthy replica out of use) or time the probe out. A primary pool found
 * connected to a server in recovery is soft-evicted (its new connections look for the primary).
 * Thread-safe; stopped by {@link #close}.
 */
public final class ReplicationProbe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationProbe.class);
    private static final String PRIMARY_SQL =
            "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END";
    private static final String REPLICA_SQL = """
            SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,
                   COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
                   (extract(epoch FROM (now() - pg_last_xact_replay_timestamp())) * 1000)::bigint""";

    private final Pool primary;
    private final List<Pool> replicas;
    private final LagClock clock = new LagClock();
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

    /** One round. */
    void probeAll() {
        boolean primaryKnown = probePrimary();
        for (Pool r : replicas) {
            probeReplica(r, primaryKnown);
        }
    }

    private boolean probePrimary() {
        try {
            long now = System.nanoTime();
            Object[] row = primary.probe(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(PRIMARY_SQL)) {
                    rs.next();
                    return new Object[] {rs.getBoolean(1), rs.getString(2)};
                }
            });
            if ((Boolean) row[0]) {
                LOG.warn("catalog pool {}: connected to a server in recovery; reconnecting to find the primary", primary.name());
                primary.softEvictAll();
                return false;
            }
            clock.primaryAt(now, Lsn.parse((String) row[1]));
            return true;
        } catch (SQLException | RuntimeException e) {
            logFailure(primary, e);
            return false;
        }
    }

    private void probeReplica(Pool r, boolean primaryKnown) {
        try {
            long[] lag = r.probe(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(REPLICA_SQL)) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return new long[] {0, 0}; // promoted: as fresh as it gets
                    }
                    String replayText = rs.getString(2);
                    Lsn replay = replayText == null ? null : Lsn.parse(replayText);
                    boolean replayedAll = rs.getBoolean(3);
                    long age = rs.getLong(4);
                    Long replayAge = rs.wasNull() ? null : age;
                    long now = System.nanoTime();
                    long ms = !primaryKnown && replayedAll ? 0 : clock.lagMillis(now, replay, replayAge, replayedAll);
                    return new long[] {ms, clock.lagBytes(replay)};
                }
            });
            r.lag(lag[0], lag[1]);
        } catch (SQLException | RuntimeException e) {
            r.lag(-1, -1);
            logFailure(r, e);
        }
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
