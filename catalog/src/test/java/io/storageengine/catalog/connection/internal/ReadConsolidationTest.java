package io.storageengine.catalog.connection.internal;

import static io.storageengine.catalog.connection.internal.AdmissionTest.awaitQuietly;
import static io.storageengine.catalog.connection.internal.AdmissionTest.pool;
import static io.storageengine.catalog.connection.internal.AdmissionTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.CatalogUnavailableException;
import io.storageengine.catalog.connection.QueryKey;
import java.sql.SQLException;
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
import org.junit.jupiter.api.Test;

/**
 * {@link ReadConsolidation} in front of a real {@link Pool} with {@link Admission} (fake
 * connections): a read waiting for admission is shared by identical reads that arrive meanwhile; a
 * read that arrives once the query executes runs its own; a failure reaches every joined caller;
 * different keys never share; the map of waiting keys is bounded. Executions are counted in the
 * work itself (the part that would send the query).
 */
class ReadConsolidationTest {
    static final QueryKey VERSION = QueryKey.of("SELECT segments_version FROM catalog_state WHERE id = 1");

    /** A pool whose only caller permit is held until {@link #release}: the next reads wait for admission. */
    static final class BusyPool implements AutoCloseable {
        final Pool pool;
        final CountDownLatch release = new CountDownLatch(1);
        final ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor();

        BusyPool(int permits) throws InterruptedException {
            pool = pool(new Admission(permits, 1_000, Duration.ofSeconds(30)));
            CountDownLatch holding = new CountDownLatch(permits);
            for (int i = 0; i < permits; i++) {
                vt.submit(() -> pool.run(c -> {
                    holding.countDown();
                    awaitQuietly(release);
                    return null;
                }));
            }
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        }

        /** One consolidated read through the pool; {@code executions} counts the queries actually run. */
        Future<Object> read(ReadConsolidation rc, Object key, AtomicInteger executions, Object result) {
            return vt.submit(() -> rc.run(key, started -> {
                try {
                    return pool.run(c -> {
                        started.run();
                        executions.incrementAndGet();
                        if (result instanceof RuntimeException e) {
                            throw e;
                        }
                        return result;
                    });
                } catch (SQLException e) {
                    throw new CatalogException("read failed", e);
                }
            }));
        }

        @Override
        public void close() {
            release.countDown();
            vt.close();
        }
    }

    @Test
    void callersArrivingWhileTheLeaderWaitsShareOneExecution() throws Exception {
        ReadConsolidation rc = new ReadConsolidation(100);
        AtomicInteger executions = new AtomicInteger();
        Object answer = List.of(42L);
        try (BusyPool busy = new BusyPool(1)) {
            Future<Object> leader = busy.read(rc, VERSION, executions, answer);
            waitFor(() -> busy.pool.admission().waiting() == 1);
            List<Future<Object>> joined = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                joined.add(busy.read(rc, QueryKey.of(VERSION.sql()), executions, List.of(-1L)));
            }
            waitFor(() -> rc.consolidated() == 20);
            assertThat(busy.pool.admission().waiting()).as("joined callers do not queue for a connection").isEqualTo(1);
            busy.release.countDown();
            assertThat(leader.get(10, TimeUnit.SECONDS)).isSameAs(answer);
            for (Future<Object> f : joined) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(answer);
            }
        }
        assertThat(executions.get()).isEqualTo(1);
        assertThat(rc.leaders()).isEqualTo(1);
        assertThat(rc.openKeys()).isZero();
    }

    @Test
    void aCallerArrivingAfterTheQueryStartedRunsItsOwn() throws Exception {
        ReadConsolidation rc = new ReadConsolidation(100);
        AtomicInteger executions = new AtomicInteger();
        CountDownLatch executing = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Pool pool = pool(new Admission(2, 10, Duration.ofSeconds(30)));
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> first = vt.submit(() -> rc.run(VERSION, started -> {
                try {
                    return pool.run(c -> {
                        started.run();
                        executions.incrementAndGet();
                        executing.countDown();
                        awaitQuietly(finish); // the query is running: its snapshot is taken
                        return "old";
                    });
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
            assertThat(executing.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(rc.openKeys()).as("closed to joiners once executing").isZero();
            String second = rc.run(VERSION, started -> {
                try {
                    return pool.run(c -> {
                        started.run();
                        executions.incrementAndGet();
                        return "new";
                    });
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(second).isEqualTo("new");
            finish.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("old");
        }
        assertThat(executions.get()).isEqualTo(2);
        assertThat(rc.consolidated()).isZero();
        assertThat(rc.leaders()).isEqualTo(2);
    }

    @Test
    void aFailureReachesEveryJoinedCaller() throws Exception {
        ReadConsolidation rc = new ReadConsolidation(100);
        AtomicInteger executions = new AtomicInteger();
        CatalogUnavailableException failure = new CatalogUnavailableException("catalog down", new SQLException("x", "08006"));
        List<Future<Object>> all = new ArrayList<>();
        try (BusyPool busy = new BusyPool(1)) {
            all.add(busy.read(rc, VERSION, executions, failure));
            waitFor(() -> busy.pool.admission().waiting() == 1);
            for (int i = 0; i < 5; i++) {
                all.add(busy.read(rc, VERSION, executions, "never used"));
            }
            waitFor(() -> rc.consolidated() == 5);
            busy.release.countDown();
            for (Future<Object> f : all) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(CatalogUnavailableException.class).hasMessage("catalog down");
            }
        }
        assertThat(executions.get()).isEqualTo(1);
        // the joined callers get their own exception (their own stack), the leader's as cause
        ExecutionException joined = (ExecutionException) catchThrowable(all.get(3));
        assertThat(joined.getCause()).isNotSameAs(failure).hasCause(failure);
        // and the next caller runs again (a failed flight is not cached)
        AtomicInteger again = new AtomicInteger();
        String ok = rc.run(VERSION, started -> {
            started.run();
            again.incrementAndGet();
            return "ok";
        });
        assertThat(ok).isEqualTo("ok");
        assertThat(again.get()).isEqualTo(1);
    }

    static Throwable catchThrowable(Future<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void differentKeysNeverShare() throws Exception {
        ReadConsolidation rc = new ReadConsolidation(100);
        AtomicInteger executions = new AtomicInteger();
        QueryKey jobs = QueryKey.of("SELECT ... FROM compaction_jobs WHERE partition = ? LIMIT ?", 1, 20);
        QueryKey otherPartition = QueryKey.of(jobs.sql(), 2, 20);
        QueryKey otherLimit = QueryKey.of(jobs.sql(), 1, 21);
        try (BusyPool busy = new BusyPool(1)) {
            Future<Object> a = busy.read(rc, jobs, executions, "p1");
            waitFor(() -> busy.pool.admission().waiting() == 1);
            Future<Object> b = busy.read(rc, otherPartition, executions, "p2");
            Future<Object> c = busy.read(rc, otherLimit, executions, "p1/21");
            Future<Object> d = busy.read(rc, VERSION, executions, 7L);
            waitFor(() -> busy.pool.admission().waiting() == 4);
            assertThat(rc.openKeys()).isEqualTo(4);
            busy.release.countDown();
            assertThat(List.of(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS), c.get(10, TimeUnit.SECONDS),
                    d.get(10, TimeUnit.SECONDS))).containsExactly("p1", "p2", "p1/21", 7L);
        }
        assertThat(executions.get()).isEqualTo(4);
        assertThat(rc.consolidated()).isZero();
        assertThat(jobs).isEqualTo(QueryKey.of(jobs.sql(), 1, 20)).isNotEqualTo(otherPartition);
    }

    @Test
    void beyondMaxKeysReadsRunAlone() throws Exception {
        ReadConsolidation rc = new ReadConsolidation(2);
        AtomicInteger executions = new AtomicInteger();
        try (BusyPool busy = new BusyPool(1)) {
            List<Future<Object>> reads = new ArrayList<>();
            reads.add(busy.read(rc, QueryKey.of("q", 1), executions, 1));
            reads.add(busy.read(rc, QueryKey.of("q", 2), executions, 2));
            waitFor(() -> busy.pool.admission().waiting() == 2);
            reads.add(busy.read(rc, QueryKey.of("q", 3), executions, 3)); // a third key: the map is full
            waitFor(() -> rc.overflows() == 1);
            reads.add(busy.read(rc, QueryKey.of("q", 3), executions, 3)); // nothing to join: alone too
            reads.add(busy.read(rc, QueryKey.of("q", 1), executions, -1)); // joins key 1
            waitFor(() -> rc.overflows() == 2 && rc.consolidated() == 1);
            assertThat(rc.openKeys()).isEqualTo(2);
            busy.release.countDown();
            List<Object> got = new ArrayList<>();
            for (Future<Object> f : reads) {
                got.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(got).containsExactly(1, 2, 3, 3, 1);
        }
        assertThat(executions.get()).isEqualTo(4);
        assertThat(rc.openKeys()).isZero();
    }

    @Test
    void zeroKeysTurnsConsolidationOff() throws Exception {
        ReadConsolidation rc = new ReadConsolidation(0);
        AtomicInteger executions = new AtomicInteger();
        try (BusyPool busy = new BusyPool(1)) {
            Future<Object> a = busy.read(rc, VERSION, executions, 1);
            Future<Object> b = busy.read(rc, VERSION, executions, 2);
            waitFor(() -> busy.pool.admission().waiting() == 2);
            busy.release.countDown();
            assertThat(List.of(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS))).containsExactlyInAnyOrder(1, 2);
        }
        assertThat(executions.get()).isEqualTo(2);
        assertThat(rc.consolidated()).isZero();
        assertThatThrownBy(() -> new ReadConsolidation(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("catalog.consolidate-max-keys");
    }

    @Test
    void queryKeysCompareSqlAndParametersAndRefuseArrays() {
        assertThat(QueryKey.of("SELECT 1")).isEqualTo(QueryKey.of("SELECT 1")).isNotEqualTo(QueryKey.of("SELECT 2"));
        assertThat(QueryKey.of("q", 1, "a")).isEqualTo(QueryKey.of("q", 1, "a")).isNotEqualTo(QueryKey.of("q", 1L, "a"));
        assertThatThrownBy(() -> QueryKey.of("q", (Object) new byte[] {1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("array");
        assertThatThrownBy(() -> QueryKey.of("q", (Object) null)).isInstanceOf(NullPointerException.class);
    }
}
