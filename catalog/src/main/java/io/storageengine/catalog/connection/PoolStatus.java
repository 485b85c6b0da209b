package io.storageengine.catalog.connection;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pool's health at one moment, for {@code /health} and tests. Immutable.
 *
 * <p>{@code score} (0..1) is the weakest of three: acquisition p99 over the last minute (1 at or
 * below a fifth of {@code catalog.acquire-warn}, 0 at ten times it, log-linear between), error rate
 * over the last minute (1 − 4 × rate), and for replicas the replication lag (1 up to half the bound,
 * 0 at the bound or when unknown). An open breaker makes it 0. The trends compare the last minute
 * with the minute before ({@code RISING} above 1.5×, {@code FALLING} below 2/3, else {@code STEADY}).
 * {@code warning} is set before failure: acquisition p99 rising through each of the last six 10 s
 * buckets to more than twice where it started, p99 above {@code catalog.acquire-warn}, an error
 * rate of 5 % or more and rising, or a replica's lag above half the bound and rising.
 *
 * <p>Lag ({@code lagMillis}, -1 when unknown), from WAL positions: every probe round records the
 * primary's {@code pg_current_wal_lsn()} with the local time; a replica whose
 * {@code pg_last_wal_replay_lsn()} reached the newest sample has lag 0, otherwise its lag is the
 * time since the newest sample it has reached (an upper bound, resolution one probe interval); a
 * replay older than every kept sample takes the larger of the oldest sample's age and
 * {@code now() - pg_last_xact_replay_timestamp()}. With the primary unreachable, a replica that
 * replayed all it received has lag 0. {@code lagBytes}: the newest primary sample minus the
 * replica's replay LSN (-1 when either is unknown).
 *
 * @param name    {@code primary} or {@code replica-<i>}
 * @param server  host:port list the pool connects to
 * @param state   {@code UP}, {@code DEGRADED} (warning or score below 0.5) or {@code DOWN} (breaker open)
 * @param breaker {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}
 */
public record PoolStatus(String name, String role, String server, String state, double score, String breaker,
                         long lagMillis, long lagBytes, double acquireP50Millis, double acquireP99Millis, double errorRate,
                         long errors, String latencyTrend, String errorTrend, String lagTrend, String warning,
                         int total, int active, int idle, int pending) {

    /** Whether a warning is raised. */
    public boolean warned() {
        return warning != null;
    }

    /** The JSON-friendly form {@code /health} shows. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("server", server);
        m.put("state", state);
        m.put("score", Math.round(score * 1000) / 1000.0);
        m.put("breaker", breaker);
        m.put("lagMillis", lagMillis);
        m.put("lagBytes", lagBytes);
        m.put("acquireP50Millis", Math.round(acquireP50Millis * 1000) / 1000.0);
        m.put("acquireP99Millis", Math.round(acquireP99Millis * 1000) / 1000.0);
        m.put("errorRate", Math.round(errorRate * 10000) / 10000.0);
        m.put("errors", errors);
        m.put("trend", Map.of("acquireP99", latencyTrend, "errorRate", errorTrend, "lag", lagTrend));
        if (warning != null) {
            m.put("warning", warning);
        }
        m.put("connections", Map.of("total", total, "active", active, "idle", idle, "pending", pending));
        return m;
    }
}
