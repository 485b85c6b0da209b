package io.storageengine.catalog.connection;

import static io.storageengine.catalog.Fixtures.l0;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.RegisterResult;
import io.storageengine.testsupport.LocalPostgres;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The primary crashes ({@code pg_ctl stop -m immediate}) in the middle of a sequence of segment
 * registrations and its streaming replica is promoted: the same {@link Catalog} (no restart) goes
 * on writing to the promoted server, and the catalog holds every segment exactly once with the
 * committed offset at its end (a registration whose acknowledgement was lost is recognized as
 * ALREADY_REGISTERED, not doubled). The replica is synchronous ({@code synchronous_standby_names},
 * {@code synchronous_commit = on}), as docs/runbook.md asks for the catalog: with asynchronous
 * replication an acknowledged commit the replica never received is lost at promotion (a first run
 * of this test without it lost 133 acknowledged registrations out of 353).
 */
class FailoverIT {

    @Test
    void writesResumeOnThePromotedReplicaWithoutARestart() throws Exception {
        LocalPostgres primary = LocalPostgres.startPrivate();
        LocalPostgres replica = null;
        try {
            String db = primary.createDatabase("failover");
            replica = primary.startReplica();
            sql(primary, "postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'");
            sql(primary, "postgres", "SELECT pg_reload_conf()");
            sql(primary, "postgres", "ALTER DATABASE \"" + db + "\" SET synchronous_commit = 'on'");
            CatalogConfig config = CatalogConfig.of(primary.jdbcUrl(db), primary.user(), primary.password())
                    .withConnectionTimeout(Duration.ofSeconds(1))
                    .withOptions(ConnectionOptions.defaults().withReplicas(List.of(replica.jdbcUrl(db)))
                            .withHealthInterval(Duration.ofMillis(200)).withBreaker(3, Duration.ofMillis(500))
                            .withSocketTimeout(Duration.ofSeconds(2)));
            OffsetKey key = new OffsetKey("compactor", "wal", 0);
            LocalPostgres promoted = replica;
            try (Catalog catalog = Catalog.open(config)) {
                Lease lease = catalog.leases().acquire(0, "w1", Duration.ofMinutes(5)).orElseThrow();
                CompletableFuture<Long> failover = CompletableFuture.supplyAsync(() -> {
                    sleep(500);
                    primary.stopImmediate();
                    long t0 = System.nanoTime();
                    sleep(300);
                    promoted.promote();
                    return t0;
                });
                int n = 0;
                long longestWriteMs = 0;
                int afterFailover = 0;
                while (afterFailover < 20) { // until 20 registrations after the promotion finished
                    if (failover.isDone()) {
                        afterFailover++;
                    }
                    long w0 = System.nanoTime();
                    RegisterResult r = catalog.segments().registerL0(lease, l0("seg-" + n, 0, n * 10L, n * 10L + 10), key,
                            n * 10L + 10);
                    longestWriteMs = Math.max(longestWriteMs, (System.nanoTime() - w0) / 1_000_000);
                    assertThat(r).isIn(RegisterResult.REGISTERED, RegisterResult.ALREADY_REGISTERED);
                    n++;
                }
                failover.get(60, TimeUnit.SECONDS);
                assertThat(longestWriteMs).as("writes resumed within 10 s of the crash").isLessThan(10_000);
                List<CatalogSegment> active = catalog.segments().active(0);
                assertThat(active).hasSize(n);
                assertThat(active).extracting(CatalogSegment::name).doesNotHaveDuplicates();
                assertThat(catalog.offsets().committed(key)).hasValue(n * 10L);
                assertThat(catalog.segments().version()).isEqualTo(n);
                assertThat(catalog.retries()).isPositive();
                assertThat(catalog.poolStatus().getFirst().breaker()).isEqualTo("CLOSED");
                int writesGoTo = catalog.connections().primary().transaction("port", c -> {
                    try (var st = c.createStatement(); var rs = st.executeQuery("SELECT inet_server_port()")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
                assertThat(writesGoTo).isEqualTo(promoted.port());
            }
        } finally {
            if (replica != null) {
                replica.discard();
            }
            primary.discard();
        }
    }

    private static void sql(LocalPostgres pg, String db, String sql) throws Exception {
        try (var c = pg.connect(db); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
