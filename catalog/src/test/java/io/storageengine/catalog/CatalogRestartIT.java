package io.storageengine.catalog;

import static io.storageengine.catalog.Fixtures.TTL;
import static io.storageengine.catalog.Fixtures.l0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.RegisterResult;
import io.storageengine.testsupport.LocalPostgres;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog across PostgreSQL restarts (the connection manager and its retry policy, seen
 * through the repositories): retried calls succeed, nothing is lost or doubled.
 */
class CatalogRestartIT {
    final LocalPostgres pg = LocalPostgres.shared();
    CatalogConfig config;

    @BeforeEach
    void fresh() {
        assumeTrue(pg.isManaged(), "needs a PostgreSQL this test may restart");
        config = Fixtures.freshDatabase("restart");
    }

    @AfterEach
    void ensureRunning() {
        pg.start();
    }

    @Test
    void aSequenceOfRegistrationsSurvivesARestartInTheMiddleExactlyOnce() throws Exception {
        OffsetKey key = new OffsetKey("compactor", "wal", 0);
        try (Catalog catalog = Catalog.open(config)) {
            Lease lease = catalog.leases().acquire(0, "w1", Duration.ofMinutes(5)).orElseThrow();
            CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
                sleep(300);
                pg.restart();
            });
            int n = 0;
            while (!restart.isDone() || n < 40) {
                RegisterResult r = catalog.segments().registerL0(lease, l0("seg-" + n, 0, n * 10L, n * 10L + 10), key, n * 10L + 10);
                assertThat(r).isIn(RegisterResult.REGISTERED, RegisterResult.ALREADY_REGISTERED);
                n++;
            }
            restart.get(60, TimeUnit.SECONDS);
            assertThat(catalog.segments().active(0)).hasSize(n);
            assertThat(catalog.offsets().committed(key)).hasValue(n * 10L);
            assertThat(catalog.segments().version()).isEqualTo(n);
        }
    }

    @Test
    void callsWaitForAServerThatComesBackWithinTheBudget() throws Exception {
        try (Catalog catalog = Catalog.open(config)) {
            Lease lease = catalog.leases().acquire(0, "w1", TTL).orElseThrow();
            pg.stop();
            CompletableFuture<Void> comeBack = CompletableFuture.runAsync(() -> {
                sleep(3000); // longer than the 2 s connection timeout: at least one attempt fails
                pg.start();
            });
            assertThat(catalog.segments().registerL0(lease, l0("back-0", 0, 0, 10), new OffsetKey("g", "wal", 0), 10))
                    .isIn(RegisterResult.REGISTERED);
            comeBack.get(60, TimeUnit.SECONDS);
            assertThat(catalog.retries()).isPositive();
            assertThat(catalog.segments().active(0)).extracting(CatalogSegment::name).containsExactly("back-0");
        }
    }

    @Test
    void aServerThatStaysDownGivesCatalogUnavailableOnceTheBudgetIsSpent() {
        CatalogConfig impatient = config.withRetry(3, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(5));
        try (Catalog catalog = Catalog.open(impatient)) {
            pg.stop();
            assertThatThrownBy(catalog.segments()::version).isInstanceOf(CatalogUnavailableException.class)
                    .hasMessageContaining("segmentsVersion");
            pg.start();
            assertThat(catalog.segments().version()).isZero();
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
