package io.storageengine.catalog.connection;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the {@link ConnectionManager} spreads the catalog over a primary and its streaming replicas,
 * sizes its pools, opens its circuit breakers and judges health. Immutable; {@link #defaults()}
 * has no replica (every read goes to the primary, as before replicas existed).
 *
 * @param replicas       JDBC URLs of the streaming replicas (same database name, user and password
 *                       as the primary); reads that tolerate lag go there round-robin
 * @param replicaMaxLag  a replica lagging more is skipped (see {@link PoolStatus#lagMillis()} for how lag is measured)
 * @param minIdle        connections each pool keeps open when idle (HikariCP {@code minimumIdle})
 * @param idleTimeout    a connection above {@code minIdle} idle this long is closed (≥ 10 s, HikariCP's floor)
 * @param breakerFailures consecutive connection-level failures that open a pool's circuit breaker
 * @param breakerDelay   how long a breaker stays open before one trial call (half-open)
 * @param healthInterval how often every pool is probed (role, replication lag, a trial call)
 * @param socketTimeout  a query with no answer for this long fails (a partitioned server must not hang a caller)
 * @param readAffinity   a thread keeps the replica it last read from for this long while that replica stays
 *                       usable, so one caller's consecutive reads see one server moving forward (0: plain round-robin)
 * @param acquireWarn    acquisition p99 above this raises the early warning
 * @param maxWaiting     callers that may wait at once for a pool's connections (admission control, first come
 *                       first served, each up to the connection timeout); one more is refused at once
 * @param consolidateMaxKeys query consolidation of lag-tolerant reads ({@link ConnectionSource#readConsolidated}):
 *                       the most distinct queries that may wait for a connection with callers joined to them at
 *                       once (beyond: reads run alone); 0 turns consolidation off
 */
public record ConnectionOptions(List<String> replicas, Duration replicaMaxLag, int minIdle, Duration idleTimeout,
                                int breakerFailures, Duration breakerDelay, Duration healthInterval,
                                Duration socketTimeout, Duration readAffinity, Duration acquireWarn, int maxWaiting,
                                int consolidateMaxKeys) {

    public ConnectionOptions {
        replicas = List.copyOf(replicas);
        for (String r : replicas) {
            if (!r.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("catalog.replicas: not a PostgreSQL JDBC URL: " + r);
            }
        }
        positive(replicaMaxLag, "catalog.replica-max-lag");
        if (minIdle < 0) {
            throw new IllegalArgumentException("catalog.pool-min-idle must be >= 0, got " + minIdle);
        }
        if (idleTimeout.toMillis() < 10_000) {
            throw new IllegalArgumentException("catalog.pool-idle-timeout must be >= 10s, got " + idleTimeout);
        }
        if (breakerFailures < 1) {
            throw new IllegalArgumentException("catalog.breaker-failures must be >= 1, got " + breakerFailures);
        }
        positive(breakerDelay, "catalog.breaker-open-delay");
        positive(healthInterval, "catalog.health-interval");
        if (socketTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("catalog.socket-timeout must be >= 1s, got " + socketTimeout);
        }
        if (readAffinity.isNegative()) {
            throw new IllegalArgumentException("catalog.read-affinity must be >= 0, got " + readAffinity);
        }
        positive(acquireWarn, "catalog.acquire-warn");
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("catalog.pool-max-waiting must be >= 0, got " + maxWaiting);
        }
        if (consolidateMaxKeys < 0) {
            throw new IllegalArgumentException("catalog.consolidate-max-keys must be >= 0, got " + consolidateMaxKeys);
        }
    }

    private static void positive(Duration d, String key) {
        Objects.requireNonNull(d, key);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(key + " must be > 0, got " + d);
        }
    }

    /**
     * No replica; 5 s lag bound; min idle 1, idle timeout 60 s; breaker 3 failures / 2 s; probe every 1 s; 60 s socket
     * timeout; 10,000 callers may wait per pool; lag-tolerant reads consolidated, up to 1,000 distinct queries waiting.
     */
    public static ConnectionOptions defaults() {
        return new ConnectionOptions(List.of(), Duration.ofSeconds(5), 1, Duration.ofSeconds(60), 3, Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofMillis(50), 10_000, 1_000);
    }

    /**
     * Reads the {@code catalog.*} connection keys through a service's configuration ({@code key}
     * returns a key's text if set, {@code duration} parses the project's duration syntax); missing
     * keys keep {@link #defaults()}. {@code catalog.replicas} is a comma-separated list of JDBC URLs;
     * {@code catalog.consolidate-reads} ({@code true}/{@code false}) switches query consolidation,
     * {@code catalog.consolidate-max-keys} bounds it.
     */
    public static ConnectionOptions fromKeys(Function<String, Optional<String>> key, Function<String, Duration> duration) {
        ConnectionOptions d = defaults();
        List<String> replicas = key.apply("catalog.replicas")
                .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList())
                .orElse(d.replicas());
        boolean consolidate = key.apply("catalog.consolidate-reads").map(s -> parseBoolean("catalog.consolidate-reads", s))
                .orElse(true);
        return new ConnectionOptions(replicas,
                key.apply("catalog.replica-max-lag").map(duration).orElse(d.replicaMaxLag()),
                key.apply("catalog.pool-min-idle").map(s -> parseInt("catalog.pool-min-idle", s)).orElse(d.minIdle()),
                key.apply("catalog.pool-idle-timeout").map(duration).orElse(d.idleTimeout()),
                key.apply("catalog.breaker-failures").map(s -> parseInt("catalog.breaker-failures", s)).orElse(d.breakerFailures()),
                key.apply("catalog.breaker-open-delay").map(duration).orElse(d.breakerDelay()),
                key.apply("catalog.health-interval").map(duration).orElse(d.healthInterval()),
                key.apply("catalog.socket-timeout").map(duration).orElse(d.socketTimeout()),
                key.apply("catalog.read-affinity").map(duration).orElse(d.readAffinity()),
                key.apply("catalog.acquire-warn").map(duration).orElse(d.acquireWarn()),
                key.apply("catalog.pool-max-waiting").map(s -> parseInt("catalog.pool-max-waiting", s)).orElse(d.maxWaiting()),
                consolidate ? key.apply("catalog.consolidate-max-keys").map(s -> parseInt("catalog.consolidate-max-keys", s))
                        .orElse(d.consolidateMaxKeys()) : 0);
    }

    private static boolean parseBoolean(String key, String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(key + ": expected true or false, got '" + text + "'");
        };
    }

    private static int parseInt(String key, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected an integer, got '" + text + "'");
        }
    }

    public ConnectionOptions withReplicas(List<String> urls) {
        return new ConnectionOptions(urls, replicaMaxLag, minIdle, idleTimeout, breakerFailures, breakerDelay, healthInterval,
                socketTimeout, readAffinity, acquireWarn, maxWaiting, consolidateMaxKeys);
    }

    public ConnectionOptions withReplicaMaxLag(Duration lag) {
        return new ConnectionOptions(replicas, lag, minIdle, idleTimeout, breakerFailures, breakerDelay, healthInterval,
                socketTimeout, readAffinity, acquireWarn, maxWaiting, consolidateMaxKeys);
    }

    public ConnectionOptions withBreaker(int failures, Duration delay) {
        return new ConnectionOptions(replicas, replicaMaxLag, minIdle, idleTimeout, failures, delay, healthInterval,
                socketTimeout, readAffinity, acquireWarn, maxWaiting, consolidateMaxKeys);
    }

    public ConnectionOptions withHealthInterval(Duration interval) {
        return new ConnectionOptions(replicas, replicaMaxLag, minIdle, idleTimeout, breakerFailures, breakerDelay, interval,
                socketTimeout, readAffinity, acquireWarn, maxWaiting, consolidateMaxKeys);
    }

    public ConnectionOptions withSocketTimeout(Duration timeout) {
        return new ConnectionOptions(replicas, replicaMaxLag, minIdle, idleTimeout, breakerFailures, breakerDelay, healthInterval,
                timeout, readAffinity, acquireWarn, maxWaiting, consolidateMaxKeys);
    }

    public ConnectionOptions withReadAffinity(Duration affinity) {
        return new ConnectionOptions(replicas, replicaMaxLag, minIdle, idleTimeout, breakerFailures, breakerDelay, healthInterval,
                socketTimeout, affinity, acquireWarn, maxWaiting, consolidateMaxKeys);
    }

    public ConnectionOptions withMaxWaiting(int callers) {
        return new ConnectionOptions(replicas, replicaMaxLag, minIdle, idleTimeout, breakerFailures, breakerDelay, healthInterval,
                socketTimeout, readAffinity, acquireWarn, callers, consolidateMaxKeys);
    }

    public ConnectionOptions withPoolIdle(int min, Duration timeout) {
        return new ConnectionOptions(replicas, replicaMaxLag, min, timeout, breakerFailures, breakerDelay, healthInterval,
                socketTimeout, readAffinity, acquireWarn, maxWaiting, consolidateMaxKeys);
    }

    /** Query consolidation of lag-tolerant reads: at most {@code maxKeys} distinct queries waiting (0: off). */
    public ConnectionOptions withConsolidation(int maxKeys) {
        return new ConnectionOptions(replicas, replicaMaxLag, minIdle, idleTimeout, breakerFailures, breakerDelay, healthInterval,
                socketTimeout, readAffinity, acquireWarn, maxWaiting, maxKeys);
    }
}
