package io.storageengine.catalog.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.Fixtures;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Query consolidation through the real {@link ConnectionManager} on the shared PostgreSQL (no
 * replica: lag-tolerant reads go to the primary pool, with its admission). The pool has 2
 * connections, so 1 caller permit: a read that holds it makes the next reads wait for admission.
 * Executions are counted in the work, which is what sends the query.
 */
class ConsolidatedReadsIT {
    static final String VERSION_SQL = "SELECT segments_version FROM catalog_state WHERE id = 1";
    static final QueryKey VERSION = QueryKey.of(VERSION_SQL);

    static Catalog open(String prefix, int poolSize) {
        CatalogConfig c = Fixtures.freshDatabase(prefix).withPoolSize(poolSize).withConnectionTimeout(Duration.ofSeconds(20));
        return Catalog.open(c);
    }

    static long version(java.sql.Connection c) throws java.sql.SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(VERSION_SQL)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(end);
            Thread.sleep(2);
        }
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int pending(Catalog catalog) {
        return catalog.poolStatus().getFirst().pending();
    }

    /** A held caller permit; {@link #close} lets it go (also when an assertion in its block failed). */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Holds the pool's only caller permit until the returned {@link Held} is closed: before the
     * executor's own close, which waits for the holder to return.
     */
    static Held hold(Catalog catalog, ExecutorService vt) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        vt.submit(() -> catalog.connections().lagTolerant().transaction("hold", c -> {
            holding.countDown();
            awaitQuietly(release);
            return null;
        }));
        assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
        return release::countDown;
    }

    @Test
    void readsWaitingTogetherShareOneQueryAndDifferentQueriesDoNot() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Catalog catalog = open("consolidate_share", 2).bindTo(registry);
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            ConnectionSource reads = catalog.connections().lagTolerant();
            long expected = catalog.segments().version(); // also warms the pool
            AtomicInteger executions = new AtomicInteger();
            AtomicInteger distinctExecutions = new AtomicInteger();
            Future<Long> leader;
            List<Future<Long>> joined = new ArrayList<>();
            Future<Long> distinct;
            try (Held held = hold(catalog, vt)) {
                leader = vt.submit(() -> reads.readConsolidated("v", VERSION, c -> {
                    executions.incrementAndGet();
                    return version(c);
                }));
                await("leader waits for admission", () -> pending(catalog) == 1);
                for (int i = 0; i < 10; i++) {
                    joined.add(vt.submit(() -> reads.readConsolidated("v", VERSION, c -> {
                        executions.incrementAndGet();
                        return version(c);
                    })));
                }
                for (int i = 0; i < 5; i++) {
                    joined.add(vt.submit(() -> catalog.segments().version())); // the repository's read: the same key
                }
                distinct = vt.submit(() -> reads.readConsolidated("v", QueryKey.of(VERSION_SQL + " AND ? >= 0", 7),
                        c -> {
                            distinctExecutions.incrementAndGet();
                            return version(c);
                        }));
                await("15 callers joined the leader", () -> catalog.connections().consolidatedReads() == 15);
                await("the distinct query waits on its own", () -> pending(catalog) == 2);
            }
            assertThat(leader.get(20, TimeUnit.SECONDS)).isEqualTo(expected);
            for (Future<Long> f : joined) {
                assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(expected);
            }
            assertThat(distinct.get(20, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(executions.get()).as("one query for 16 callers").isEqualTo(1);
            assertThat(distinctExecutions.get()).isEqualTo(1);
            assertThat(registry.get("se.catalog.reads.consolidated").functionCounter().count()).isEqualTo(15.0);
            assertThat(catalog.healthDetails()).containsEntry("consolidatedReads", 15L);
            // primary() never consolidates (read-your-writes)
            assertThat(catalog.connections().primary().readConsolidated("v", VERSION, ConsolidatedReadsIT::version))
                    .isEqualTo(expected);
        }
    }

    @Test
    void aReadArrivingAfterTheQueryStartedRunsItsOwnAndSeesNewerData() throws Exception {
        try (Catalog catalog = open("consolidate_late", 3); // 2 caller permits
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            ConnectionSource reads = catalog.connections().lagTolerant();
            AtomicInteger executions = new AtomicInteger();
            CountDownLatch executed = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            Future<Long> first = vt.submit(() -> reads.readConsolidated("v", VERSION, c -> {
                executions.incrementAndGet();
                long v = version(c);
                executed.countDown();
                awaitQuietly(finish); // still executing (holding its connection) while the version moves
                return v;
            }));
            assertThat(executed.await(20, TimeUnit.SECONDS)).isTrue();
            long before = catalog.connections().primary().transaction("peek", ConsolidatedReadsIT::version);
            catalog.connections().primary().transaction("bump", c -> {
                try (Statement st = c.createStatement()) {
                    return st.executeUpdate("UPDATE catalog_state SET segments_version = segments_version + 1 WHERE id = 1");
                }
            });
            long second = reads.readConsolidated("v", VERSION, c -> {
                executions.incrementAndGet();
                return version(c);
            });
            finish.countDown();
            assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(before);
            assertThat(second).as("not the older answer of the read already executing").isEqualTo(before + 1);
            assertThat(executions.get()).isEqualTo(2);
            assertThat(catalog.connections().consolidatedReads()).isZero();
        }
    }

    @Test
    void aFailedSharedReadFailsEveryJoinedCaller() throws Exception {
        try (Catalog catalog = open("consolidate_fail", 2);
             ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            ConnectionSource reads = catalog.connections().lagTolerant();
            QueryKey missing = QueryKey.of("SELECT * FROM no_such_table");
            AtomicInteger executions = new AtomicInteger();
            List<Future<Object>> all = new ArrayList<>();
            try (Held held = hold(catalog, vt)) {
                for (int i = 0; i < 6; i++) {
                    all.add(vt.submit(() -> reads.readConsolidated("missing", missing, c -> {
                        executions.incrementAndGet();
                        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(missing.sql())) {
                            return (Object) rs.next();
                        }
                    })));
                    if (i == 0) {
                        await("leader waits for admission", () -> pending(catalog) == 1);
                    }
                }
                await("5 callers joined", () -> catalog.connections().consolidatedReads() == 5);
            }
            for (Future<Object> f : all) {
                assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(CatalogException.class).hasMessageContaining("42P01");
            }
            assertThat(executions.get()).as("a permanent error is not retried, and run once for all").isEqualTo(1);
        }
    }
}
