package io.storageengine.catalog.connection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.connection.internal.Admission;
import io.storageengine.catalog.connection.internal.HealthRules;
import io.storageengine.catalog.connection.internal.JdbcUrls;
import io.storageengine.catalog.connection.internal.Pool;
import io.storageengine.catalog.connection.internal.PoolStats;
import io.storageengine.catalog.connection.internal.ReadConsolidation;
import io.storageengine.catalog.connection.internal.ReadRouter;
import io.storageengine.catalog.connection.internal.ReplicationProbe;
import io.storageengine.catalog.connection.internal.TransientErrors;
import io.storageengine.catalog.connection.internal.WriteRetry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's connections: one HikariCP pool on the primary (writes, read-your-writes reads) and
 * one per streaming replica (reads that tolerate lag), each behind a Failsafe circuit breaker.
 *
 * <ul>
 *   <li>{@link #primary()}: every attempt takes a fresh connection from the primary pool, whose
 *       multi-host URL ({@code targetServerType=primary}) lets PgJDBC find a promoted replica after
 *       a failover; transient failures are retried with backoff and jitter until the deadline.</li>
 *   <li>{@link #lagTolerant()}: tries the usable replicas (breaker closed, lag within
 *       {@code replicaMaxLag}) round-robin, with per-thread affinity; a replica that fails or whose
 *       breaker is open is skipped at once; with none left the read goes to the primary (retried).</li>
 *   <li>{@code lagTolerant().readConsolidated(...)}: query consolidation ({@link ReadConsolidation}):
 *       a read whose {@link QueryKey} equals that of a lag-tolerant read still waiting for a
 *       connection (and whose thread has the same replica affinity) joins it and gets its result;
 *       at most {@code consolidateMaxKeys} keys wait at once, beyond that reads run alone.</li>
 *   <li>a probe thread measures each replica's lag and re-checks the primary's role every
 *       {@code healthInterval}; {@link #status()} scores each pool; {@link #bindTo} publishes gauges.</li>
 *   <li>pools are bounded ({@code maxPoolSize}), grow on demand and shrink to {@code minIdle} after
 *       {@code idleTimeout}. Admission control ({@link Admission}) lets at most {@code maxPoolSize - 1}
 *       callers at a pool at once, first come first served, each waiting up to the connection timeout,
 *       at most {@code maxWaiting} waiting; the last connection is the probe's, so lag and role are
 *       still measured during a load spike. A refused admission is transient (retried, or the next
 *       server for a lag-tolerant read) and never counts against the breaker.</li>
 * </ul>
 *
 * <p>No connection is made at open (a server that is down only makes the first calls wait within
 * the retry deadline). Thread-safe; one per {@code Catalog}; {@link #close} stops the probe, removes
 * the meters and closes the pools.
 */
public final class ConnectionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionManager.class);

    private final CatalogConfig config;
    private final Pool primary;
    private final List<Pool> replicas;
    private final WriteRetry retry;
    private final ReadRouter router;
    private final ReplicationProbe probe;
    private final ReadConsolidation consolidation;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final ConnectionSource primarySource;
    private final ConnectionSource tolerantSource;

    private ConnectionManager(CatalogConfig config, Pool primary, List<Pool> replicas) {
        this.config = config;
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
        ConnectionOptions o = config.options();
        this.retry = new WriteRetry(config.maxAttempts(), config.initialBackoff(), config.maxBackoff(), config.retryBudget());
        this.router = new ReadRouter(this.replicas, o.replicaMaxLag(), o.readAffinity(), System::nanoTime);
        this.probe = new ReplicationProbe(primary, this.replicas, o.healthInterval());
        this.primarySource = new ConnectionSource() {
            @Override
            public <T> T transaction(String what, Work<T> work) {
                return retry.run(what, ConnectionManager.this.primary, work);
            }
        };
        this.consolidation = new ReadConsolidation(o.consolidateMaxKeys());
        this.tolerantSource = new ConnectionSource() {
            @Override
            public <T> T transaction(String what, Work<T> work) {
                return readTolerant(what, work).value();
            }

            @Override
            public <T> T readConsolidated(String what, QueryKey key, Work<T> work) {
                return consolidated(what, key, work);
            }
        };
    }

    /** A lag-tolerant read's result and the replica that answered it (null: the primary). */
    private record Answer<T>(T value, Pool from) {
    }

    /** What joins a flight: the query, and the thread's pinned replica (null: none), so affinity holds for joiners too. */
    private record FlightKey(QueryKey query, Pool pinned) {
    }

    /** Builds the pools (no connection yet) and starts the probe. */
    public static ConnectionManager open(CatalogConfig config) {
        ConnectionOptions o = config.options();
        Pool primary = pool(config, "primary", JdbcUrls.primaryUrl(config.jdbcUrl(), o.replicas()), false);
        List<Pool> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < o.replicas().size(); i++) {
                replicas.add(pool(config, "replica-" + i, o.replicas().get(i), true));
            }
        } catch (RuntimeException e) {
            primary.close();
            replicas.forEach(Pool::close);
            throw e;
        }
        LOG.info("catalog connections: primary {} ({} pool(s) of up to {} connections), replicas {}",
                JdbcUrls.hosts(config.jdbcUrl()), 1 + replicas.size(), config.maxPoolSize(), o.replicas().size());
        return new ConnectionManager(config, primary, replicas);
    }

    private static Pool pool(CatalogConfig config, String name, String url, boolean replica) {
        ConnectionOptions o = config.options();
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("se-catalog-" + name);
        hc.setJdbcUrl(url);
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.maxPoolSize());
        hc.setMinimumIdle(Math.min(o.minIdle(), config.maxPoolSize()));
        hc.setIdleTimeout(o.idleTimeout().toMillis());
        hc.setConnectionTimeout(config.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.max(250, config.connectionTimeout().toMillis() / 2));
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(false);
        hc.setReadOnly(replica);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, config.connectionTimeout().toSeconds())));
        hc.addDataSourceProperty("socketTimeout", Long.toString(o.socketTimeout().toSeconds()));
        HikariDataSource ds = new HikariDataSource(hc);
        CircuitBreaker<Object> breaker = Pool.breaker(name, o.breakerFailures(), o.breakerDelay());
        Admission admission = new Admission(Admission.callerPermits(config.maxPoolSize()), o.maxWaiting(),
                config.connectionTimeout());
        return new Pool(name, replica, String.join(",", JdbcUrls.hosts(url)), ds, breaker, PoolStats.standard(), admission);
    }

    /** Writes and reads that must see the caller's own writes. */
    public ConnectionSource primary() {
        return primarySource;
    }

    /** Reads that accept a replica up to {@code replicaMaxLag} behind (the primary when no replica is usable). */
    public ConnectionSource lagTolerant() {
        return tolerantSource;
    }

    private <T> T consolidated(String what, QueryKey key, ConnectionSource.Work<T> work) {
        Answer<T> a = consolidation.run(new FlightKey(key, router.pinned()), started -> readTolerant(what, c -> {
            started.run(); // holding a connection: later callers must not join (they would get an older snapshot)
            return work.run(c);
        }));
        router.used(a.from()); // a joined caller continues on the server that answered it
        return a.value();
    }

    private <T> Answer<T> readTolerant(String what, ConnectionSource.Work<T> work) {
        for (Pool p : router.candidates()) {
            try {
                T r = p.run(work);
                router.used(p);
                return new Answer<>(r, p);
            } catch (CircuitBreakerOpenException e) {
                // opened since the candidates were listed: next one
            } catch (SQLException e) {
                if (!TransientErrors.isTransient(e)) {
                    throw new CatalogException("catalog " + what + " failed on " + p.name() + ": " + e.getMessage()
                            + " (SQL state " + e.getSQLState() + ")", e);
                }
                LOG.debug("catalog {} on {} failed ({}); trying the next server", what, p.name(), e.getMessage());
            }
        }
        router.used(null);
        return new Answer<>(retry.run(what, primary, work), null);
    }

    /** Attempts retried since open (writes and primary reads). */
    public long retries() {
        return retry.retries();
    }

    /** Lag-tolerant reads that joined an identical waiting read instead of running their own, since open. */
    public long consolidatedReads() {
        return consolidation.consolidated();
    }

    /** Consolidated reads of a new key run alone because {@code consolidateMaxKeys} keys already waited, since open. */
    public long consolidationOverflows() {
        return consolidation.overflows();
    }

    /** The health of every pool, primary first. */
    public List<PoolStatus> status() {
        List<PoolStatus> out = new ArrayList<>();
        out.add(status(primary));
        replicas.forEach(r -> out.add(status(r)));
        return out;
    }

    private PoolStatus status(Pool p) {
        ConnectionOptions o = config.options();
        PoolStats.Snapshot s = p.stats().snapshot();
        CircuitBreaker.State b = p.breaker().getState();
        HealthRules.Verdict v = HealthRules.judge(s, p.replica(), b == CircuitBreaker.State.OPEN, o.acquireWarn(),
                o.replicaMaxLag());
        String state = b == CircuitBreaker.State.OPEN ? "DOWN" : v.warning() != null || v.score() < 0.5 ? "DEGRADED" : "UP";
        int[] c = p.connections();
        return new PoolStatus(p.name(), p.replica() ? "replica" : "primary", p.server(), state, v.score(), b.name(),
                p.replica() ? p.lagMillis() : 0, p.replica() ? p.lagBytes() : 0, Math.max(0, s.p50Millis()),
                Math.max(0, s.p99Millis()), s.errorRate(), s.errors(), v.latencyTrend(), v.errorTrend(), v.lagTrend(),
                v.warning(), c[0], c[1], c[2], c[3]);
    }

    /**
     * The {@code catalog} entry of a service's {@code /health}: each pool's {@link PoolStatus#toMap()}
     * under its name, plus {@code warnings} (how many pools warn) and {@code usableReplicas}.
     */
    public Map<String, Object> healthDetails() {
        Map<String, Object> pools = new LinkedHashMap<>();
        int warnings = 0;
        for (PoolStatus s : status()) {
            pools.put(s.name(), s.toMap());
            warnings += s.warned() ? 1 : 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pools", pools);
        m.put("warnings", warnings);
        m.put("usableReplicas", replicas.stream().filter(router::usable).count());
        m.put("consolidatedReads", consolidation.consolidated());
        return m;
    }

    /**
     * Publishes per pool (tags {@code pool}, {@code role}): {@code se.catalog.pool.connections}
     * (total), {@code .active}, {@code .idle}, {@code .pending}, {@code se.catalog.pool.acquire.p50}
     * / {@code .p99} (seconds, last minute), {@code se.catalog.pool.errors} (counter),
     * {@code se.catalog.pool.lag} (seconds, -1 unknown), {@code se.catalog.pool.health.score},
     * {@code se.catalog.pool.health.warning} (0/1), {@code se.catalog.pool.breaker.open} (0/1); and
     * {@code se.catalog.retries}, {@code se.catalog.reads.consolidated} and
     * {@code se.catalog.reads.consolidation.overflow} (counters). Removed again by {@link #close}.
     */
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        List<Pool> all = new ArrayList<>();
        all.add(primary);
        all.addAll(replicas);
        for (Pool p : all) {
            Tags tags = Tags.of("pool", p.name(), "role", p.replica() ? "replica" : "primary");
            gauge(registry, "se.catalog.pool.connections", "connections open", tags, p, x -> x.connections()[0], null);
            gauge(registry, "se.catalog.pool.active", "connections in use", tags, p, x -> x.connections()[1], null);
            gauge(registry, "se.catalog.pool.idle", "connections idle", tags, p, x -> x.connections()[2], null);
            gauge(registry, "se.catalog.pool.pending", "threads waiting for a connection", tags, p, x -> x.connections()[3], null);
            gauge(registry, "se.catalog.pool.acquire.p50", "connection acquisition p50, last minute", tags, p,
                    x -> Math.max(0, x.stats().snapshot().p50Millis()) / 1000, "seconds");
            gauge(registry, "se.catalog.pool.acquire.p99", "connection acquisition p99, last minute", tags, p,
                    x -> Math.max(0, x.stats().snapshot().p99Millis()) / 1000, "seconds");
            gauge(registry, "se.catalog.pool.lag", "replication lag (-1 unknown; 0 for the primary)", tags, p,
                    x -> x.replica() ? (x.lagMillis() < 0 ? -1 : x.lagMillis() / 1000.0) : 0, "seconds");
            gauge(registry, "se.catalog.pool.health.score", "pool health score 0..1", tags, p, x -> status(x).score(), null);
            gauge(registry, "se.catalog.pool.health.warning", "1 while the pool's early warning is raised", tags, p,
                    x -> status(x).warned() ? 1 : 0, null);
            gauge(registry, "se.catalog.pool.breaker.open", "1 while the pool's circuit breaker is open", tags, p,
                    x -> x.breaker().isOpen() ? 1 : 0, null);
            meters.add(FunctionCounter.builder("se.catalog.pool.errors", p, x -> x.stats().snapshot().errors())
                    .tags(tags).description("server failures seen by the pool (connection lost, shutdown, timeout)")
                    .register(registry));
        }
        meters.add(FunctionCounter.builder("se.catalog.retries", this, ConnectionManager::retries)
                .description("catalog attempts retried").register(registry));
        meters.add(FunctionCounter.builder("se.catalog.reads.consolidated", this, ConnectionManager::consolidatedReads)
                .description("lag-tolerant reads answered by an identical read that was waiting for a connection")
                .register(registry));
        meters.add(FunctionCounter.builder("se.catalog.reads.consolidation.overflow", this,
                        ConnectionManager::consolidationOverflows)
                .description("consolidated reads run alone because the map of waiting keys was full").register(registry));
    }

    private void gauge(MeterRegistry registry, String name, String description, Tags tags, Pool p, ToDoubleFunction<Pool> f,
                       String unit) {
        Gauge.Builder<Pool> b = Gauge.builder(name, p, f).tags(tags).description(description).strongReference(true);
        if (unit != null) {
            b.baseUnit(unit);
        }
        meters.add(b.register(registry));
    }

    @Override
    public void close() {
        probe.close();
        for (MeterRegistry r : registries) {
            meters.forEach(r::remove);
        }
        meters.clear();
        primary.close();
        replicas.forEach(Pool::close);
    }
}
