package io.storageengine.catalog.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.TcpProxy;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Lag-tolerant reads against a real primary and two streaming replicas (test-support's
 * {@link LocalPostgres#startReplica()}): spread round-robin, a stopped replica skipped with no
 * failed read, a replica whose replay is paused skipped once it lags past the bound, and a replica
 * behind a partitioned {@link TcpProxy}: its breaker opens, its health drops, and it is used again
 * after the partition heals. Each read reports the port of the server that answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaReadsIT {
    static final TimelineKey TIMELINE = TimelineKey.of("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");

    LocalPostgres primary;
    LocalPostgres replicaA;
    LocalPostgres replicaB;
    String database;

    @BeforeAll
    void servers() {
        primary = LocalPostgres.startPrivate();
        database = primary.createDatabase("replica_reads");
        replicaA = primary.startReplica();
        replicaB = primary.startReplica();
    }

    @AfterAll
    void stop() {
        for (LocalPostgres pg : new LocalPostgres[] {replicaA, replicaB, primary}) {
            if (pg != null) {
                pg.discard();
            }
        }
    }

    CatalogConfig config(List<String> replicaUrls) {
        return CatalogConfig.of(primary.jdbcUrl(database), primary.user(), primary.password())
                .withConnectionTimeout(Duration.ofSeconds(1))
                .withOptions(ConnectionOptions.defaults().withReplicas(replicaUrls).withReplicaMaxLag(Duration.ofSeconds(1))
                        .withHealthInterval(Duration.ofMillis(200)).withReadAffinity(Duration.ZERO)
                        .withBreaker(2, Duration.ofSeconds(1)).withSocketTimeout(Duration.ofSeconds(2)));
    }

    static int servingPort(Catalog catalog) {
        return catalog.connections().lagTolerant().transaction("port", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT inet_server_port()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    static Map<Integer, Integer> readPorts(Catalog catalog, int reads) {
        Map<Integer, Integer> byPort = new HashMap<>();
        for (int i = 0; i < reads; i++) {
            byPort.merge(servingPort(catalog), 1, Integer::sum);
        }
        return byPort;
    }

    static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static long usable(Catalog catalog) {
        return (long) catalog.healthDetails().get("usableReplicas");
    }

    @Test
    void readsSpreadOverReplicasAndSkipAStoppedOne() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Catalog catalog = Catalog.open(config(List.of(replicaA.jdbcUrl(database), replicaB.jdbcUrl(database))))) {
            catalog.bindTo(registry);
            await("both replicas usable", Duration.ofSeconds(20), () -> usable(catalog) == 2);
            assertThat(registry.get("se.catalog.pool.health.score").tag("pool", "replica-1").gauge().value()).isGreaterThan(0.5);
            assertThat(registry.get("se.catalog.pool.connections").tag("pool", "primary").gauge().value()).isPositive();
            assertThat(registry.get("se.catalog.pool.lag").tag("pool", "replica-0").gauge().value()).isBetween(0.0, 1.0);
            Map<Integer, Integer> ports = readPorts(catalog, 40);
            assertThat(ports).containsOnlyKeys(replicaA.port(), replicaB.port());
            assertThat(ports.get(replicaA.port())).isBetween(15, 25);

            replicaB.stop();
            Map<Integer, Integer> after = readPorts(catalog, 40); // no read fails: B's failures fall through to A
            assertThat(after.keySet()).doesNotContain(replicaB.port()).contains(replicaA.port());
            await("B's breaker open", Duration.ofSeconds(10), () -> catalog.poolStatus().get(2).breaker().equals("OPEN"));
            assertThat(catalog.poolStatus().get(2).score()).isZero();
            assertThat(catalog.segments().version()).isZero(); // the repositories' lag-tolerant reads work too

            replicaB.start();
            await("B usable again", Duration.ofSeconds(20), () -> usable(catalog) == 2);
            assertThat(readPorts(catalog, 20)).containsKeys(replicaA.port(), replicaB.port());
            assertThat(registry.get("se.catalog.pool.errors").tag("pool", "replica-1").functionCounter().count()).isPositive();
        } finally {
            replicaB.start();
        }
        assertThat(registry.find("se.catalog.pool.health.score").gauges()).as("meters removed at close").isEmpty();
    }

    @Test
    void aReplicaWhosReplayIsPausedIsSkippedOnceItLagsPastTheBound() throws Exception {
        try (Catalog catalog = Catalog.open(config(List.of(replicaA.jdbcUrl(database), replicaB.jdbcUrl(database))))) {
            await("both replicas usable", Duration.ofSeconds(20), () -> usable(catalog) == 2);
            sql(replicaA, "SELECT pg_wal_replay_pause()");
            try {
                long t0 = System.nanoTime();
                await("A lagging", Duration.ofSeconds(20), () -> {
                    catalog.timelines().touch(TIMELINE, (System.nanoTime() - t0) / 1000); // the primary moves on
                    return catalog.poolStatus().get(1).lagMillis() > 1_000;
                });
                assertThat(usable(catalog)).isEqualTo(1);
                assertThat(readPorts(catalog, 20)).containsOnlyKeys(replicaB.port());
                assertThat(catalog.poolStatus().get(1).lagBytes()).isPositive();
            } finally {
                sql(replicaA, "SELECT pg_wal_replay_resume()");
            }
            await("A caught up", Duration.ofSeconds(20), () -> usable(catalog) == 2);
            assertThat(readPorts(catalog, 20)).containsKey(replicaA.port());
        }
    }

    @Test
    void aPartitionedReplicaOpensItsBreakerDropsItsHealthAndRecovers() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(replicaA.port());
             Catalog catalog = Catalog.open(config(List.of("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database)))) {
            await("replica usable", Duration.ofSeconds(20), () -> usable(catalog) == 1);
            assertThat(readPorts(catalog, 5)).containsOnlyKeys(replicaA.port());

            proxy.partition();
            await("breaker open", Duration.ofSeconds(30), () -> catalog.poolStatus().get(1).breaker().equals("OPEN"));
            PoolStatus down = catalog.poolStatus().get(1);
            assertThat(down.state()).isEqualTo("DOWN");
            assertThat(down.score()).isZero();
            assertThat(catalog.healthDetails()).extractingByKey("pools").asString().contains("DOWN");
            long t0 = System.nanoTime();
            assertThat(readPorts(catalog, 10)).containsOnlyKeys(primary.port()); // reads go on, to the primary
            assertThat((System.nanoTime() - t0) / 1_000_000).as("no read waits for the partitioned replica").isLessThan(2_000);

            proxy.heal();
            await("replica usable again", Duration.ofSeconds(30), () -> usable(catalog) == 1);
            assertThat(catalog.poolStatus().get(1).breaker()).isEqualTo("CLOSED");
            assertThat(readPorts(catalog, 5)).containsOnlyKeys(replicaA.port());
        }
    }

    static void sql(LocalPostgres pg, String sql) throws Exception {
        try (var c = pg.connect("postgres"); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
