package io.storageengine.catalog.bench;

import static io.storageengine.catalog.Fixtures.l0;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.connection.ConnectionOptions;
import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.connection.QueryKey;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.testsupport.LocalPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Catalog connection benchmark (catalog/README.md, "Benchmark"; scripts/bench-catalog.sh). Starts a
 * private PostgreSQL primary and a streaming replica (test-support), opens a {@link Catalog} on both
 * and reports, as Markdown:
 *
 * <ol>
 *   <li><b>spike</b>: {@code BENCH_REQUESTS} (10,000) virtual threads released at once, each one
 *       catalog read of {@code SELECT segments_version FROM catalog_state WHERE id = 1} through
 *       {@code connections().lagTolerant()} (the replica, the primary when the replica is not usable):
 *       <i>consolidated</i> ({@code readConsolidated}, the same {@link QueryKey}: what
 *       {@code segments().version()} does: reads waiting together share one query), <i>distinct
 *       queries</i> ({@code readConsolidated}, each request its own parameter
 *       {@code ... AND ? >= 0}, so nothing is shared: the cost when consolidation cannot help),
 *       <i>plain</i> ({@code transaction}, no consolidation), then through
 *       {@code connections().primary()} (never consolidated). Per request: the time from the call to
 *       holding a connection (measured by the caller: the work's first line; admission wait,
 *       routing, breaker and HikariCP included, i.e. what a caller sees; a retried request: from its
 *       first call to the connection of the attempt that answered; a request that joined another's
 *       query holds no connection: its time is call → result in hand), p50 / p95 / p99 / max over all
 *       requests; whole-read time; failures; queries actually run and requests that joined another's;
 *       the spike's wall time and reads/s. Goal: p99 &lt; 5 ms. A spike of n simultaneous requests
 *       served at r reads/s keeps its last requests waiting about n / r however the pool is built
 *       (queueing), so the wall time is printed next to the percentiles.</li>
 *   <li><b>floor</b>: the same spike with no catalog at all ({@link #floor}): one caller sleeps 1 ms
 *       (a query's round trip), the others take its result, parking until it is there. What
 *       releasing 10,000 virtual threads and waking those that wait costs on this machine: a spike
 *       whose first answer needs one round trip cannot do better, whatever serves it. Printed
 *       first, as the same-run baseline of the spike rows (their column "p99 ÷ floor's").</li>
 *   <li><b>steady</b>: the same number of lag-tolerant reads from {@code BENCH_CALLERS} (8) callers
 *       in a loop (fewer callers than connections): the cost of acquisition itself.</li>
 *   <li><b>failover</b>: {@code BENCH_READERS} (64) virtual threads reading in a loop and one writer
 *       registering L0 segments; after 2 s the primary is stopped with {@code -m immediate}, 0.5 s
 *       later the replica is promoted; 10 s more. Reports failed reads, the longest read, how long
 *       writes failed (crash → first write that succeeded) and promotion → first write. Goals: reads
 *       never fail while a replica is healthy; writes resume within 10 s of the promotion.</li>
 * </ol>
 *
 * Knobs (env): BENCH_REQUESTS (10000), BENCH_POOL_SIZE (16, per server), BENCH_READERS (64), BENCH_CALLERS (8).
 * Not a test: prints figures, asserts nothing. The lead runs it on a quiet machine.
 */
public final class CatalogConnectionBench {
    /** The read of every spike: what {@code segments().version()} runs. */
    private static final String VERSION_SQL = "SELECT segments_version FROM catalog_state WHERE id = 1";
    private static final QueryKey VERSION = QueryKey.of(VERSION_SQL);
    /** The same read, each request its own parameter: distinct queries, no consolidation possible. */
    private static final String DISTINCT_SQL = VERSION_SQL + " AND ? >= 0";

    /** How one request reads: {@code k} is its number, {@code held} is called with the connection in hand. */
    @FunctionalInterface
    private interface Reader {
        long read(int k, Runnable held);
    }

    private CatalogConnectionBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(System.getenv().getOrDefault("BENCH_REQUESTS", "10000"));
        int poolSize = Integer.parseInt(System.getenv().getOrDefault("BENCH_POOL_SIZE", "16"));
        int readers = Integer.parseInt(System.getenv().getOrDefault("BENCH_READERS", "64"));
        int callers = Integer.parseInt(System.getenv().getOrDefault("BENCH_CALLERS", "8"));
        LocalPostgres primary = LocalPostgres.startPrivate();
        LocalPostgres replica = null;
        try {
            String db = primary.createDatabase("catalog_bench");
            replica = primary.startReplica();
            CatalogConfig config = CatalogConfig.of(primary.jdbcUrl(db), primary.user(), primary.password())
                    .withPoolSize(poolSize)
                    .withConnectionTimeout(Duration.ofSeconds(5))
                    .withOptions(ConnectionOptions.defaults().withReplicas(List.of(replica.jdbcUrl(db)))
                            .withHealthInterval(Duration.ofMillis(200)).withSocketTimeout(Duration.ofSeconds(5)));
            System.out.printf("# catalog connections: %d requests, pool %d per server, primary + 1 replica, %d cores%n%n",
                    requests, poolSize, Runtime.getRuntime().availableProcessors());
            try (Catalog catalog = Catalog.open(config)) {
                waitUsable(catalog);
                System.out.println("| phase | request → connection p50 | p95 | p99 | p99 ÷ floor's | max | read p50 | p99 | failed "
                        + "| queries run | joined | wall | reads/s |");
                System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
                ConnectionSource tolerant = catalog.connections().lagTolerant();
                ConnectionSource primaryOnly = catalog.connections().primary();
                Reader consolidated = (k, held) -> tolerant.readConsolidated("bench", VERSION, c -> version(c, held));
                Reader distinct = (k, held) -> tolerant.readConsolidated("bench", QueryKey.of(DISTINCT_SQL, k),
                        c -> distinctVersion(c, k, held));
                Reader plain = (k, held) -> tolerant.transaction("bench", c -> version(c, held));
                Reader onPrimary = (k, held) -> primaryOnly.transaction("bench", c -> version(c, held));
                run(catalog, consolidated, requests / 10, requests / 10, null, 0); // warm-up (pools grown, JIT), not printed
                run(catalog, distinct, requests / 10, requests / 10, null, 0);
                run(catalog, onPrimary, requests / 10, requests / 10, null, 0);
                run(catalog, floor(), requests / 10, requests / 10, null, 0);
                long floor = run(catalog, floor(), requests, requests, "floor: spike " + requests
                        + ", no catalog (the first caller sleeps 1 ms, the others wait for it)", 0);
                run(catalog, consolidated, requests, requests, "spike " + requests + ", lag-tolerant, consolidated", floor);
                run(catalog, distinct, requests, requests, "spike " + requests + ", lag-tolerant, distinct queries", floor);
                run(catalog, plain, requests, requests, "spike " + requests + ", lag-tolerant, plain (no consolidation)", floor);
                run(catalog, onPrimary, requests, requests, "spike " + requests + ", primary reads", floor);
                run(catalog, plain, requests, callers, "steady, " + callers + " callers, lag-tolerant reads (plain)", 0);
                System.out.println();
                failover(catalog, primary, replica, readers);
            }
        } finally {
            if (replica != null) {
                replica.discard();
            }
            primary.discard();
        }
    }

    private static void waitUsable(Catalog catalog) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((long) catalog.healthDetails().get("usableReplicas") < 1 && System.nanoTime() < end) {
            Thread.sleep(100);
        }
    }

    /**
     * The same spike without the catalog: the first caller "holds a connection" and sleeps 1 ms (a
     * query's round trip), every other caller takes its result (parking while it is not there yet),
     * as a joined caller does. A fresh reader per run.
     */
    private static Reader floor() {
        AtomicBoolean led = new AtomicBoolean();
        CompletableFuture<Long> result = new CompletableFuture<>();
        return (k, held) -> {
            if (led.compareAndSet(false, true)) {
                held.run();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                result.complete(1L);
            }
            return result.join();
        };
    }

    private static long version(Connection c, Runnable held) throws SQLException {
        held.run();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(VERSION_SQL)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long distinctVersion(Connection c, int k, Runnable held) throws SQLException {
        held.run();
        try (PreparedStatement ps = c.prepareStatement(DISTINCT_SQL)) {
            ps.setInt(1, k);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * {@code n} reads by {@code reader} from {@code concurrency} virtual threads (n = concurrency:
     * all released at once; fewer: each loops over its share). Prints a row when {@code label} is
     * set, with its p99 divided by {@code floorP99} when that is above 0.
     *
     * @return the request → connection p99 in nanoseconds (0 for an unprinted run)
     */
    private static long run(Catalog catalog, Reader reader, int n, int concurrency, String label, long floorP99)
            throws InterruptedException {
        long joinedBefore = catalog.connections().consolidatedReads();
        AtomicInteger queries = new AtomicInteger();
        long[] held = new long[n];
        long[] reads = new long[n];
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(concurrency);
        long[] wall = new long[2];
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                vt.submit(() -> {
                    try {
                        go.await();
                        for (int k = next.getAndIncrement(); k < n; k = next.getAndIncrement()) {
                            read(reader, k, held, reads, failed, queries);
                        }
                    } finally {
                        done.countDown();
                    }
                    return null;
                });
            }
            wall[0] = System.nanoTime();
            go.countDown();
            done.await();
            wall[1] = System.nanoTime();
        }
        if (label == null) {
            return 0;
        }
        long[] acq = Arrays.stream(held).filter(r -> r >= 0).sorted().toArray();
        long[] ok = Arrays.stream(reads).filter(r -> r >= 0).sorted().toArray();
        double seconds = (wall[1] - wall[0]) / 1e9;
        long p99 = acq.length == 0 ? 0 : acq[rank(acq.length, 0.99)];
        String ratio = floorP99 > 0 && acq.length > 0 ? String.format("%.1f", (double) p99 / floorP99) : "-";
        System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %.0f ms | %.0f |%n", label, ms(acq, 0.50),
                ms(acq, 0.95), ms(acq, 0.99), ratio, ms(acq, 1.0), ms(ok, 0.50), ms(ok, 0.99), failed.get(), queries.get(),
                catalog.connections().consolidatedReads() - joinedBefore, seconds * 1000, ok.length / seconds);
        return p99;
    }

    /**
     * One read; {@code held[k]}: call → connection in hand (the work's first line; a request that
     * joined another's query, whose work never runs: call → result), {@code reads[k]}: the whole call.
     */
    private static void read(Reader reader, int k, long[] held, long[] reads, AtomicInteger failed, AtomicInteger queries) {
        long t0 = System.nanoTime();
        held[k] = -1;
        try {
            reader.read(k, () -> {
                held[k] = System.nanoTime() - t0; // a retried call: to the connection of the attempt that answers
                queries.incrementAndGet();
            });
            reads[k] = System.nanoTime() - t0;
            if (held[k] < 0) {
                held[k] = reads[k]; // joined: never held a connection; it waited until the shared result
            }
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            held[k] = -1;
            reads[k] = -1;
        }
    }

    private static void failover(Catalog catalog, LocalPostgres primary, LocalPostgres replica, int readers) throws Exception {
        AtomicLong readFailures = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        AtomicLong longestRead = new AtomicLong();
        AtomicLong firstWriteFailure = new AtomicLong();
        AtomicLong lastWriteFailure = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        AtomicLong firstWriteAfterPromotion = new AtomicLong();
        AtomicLong promotedAt = new AtomicLong();
        AtomicLong crashedAt = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(13).toNanos();
        OffsetKey key = new OffsetKey("bench", "wal", 0);
        Lease lease = catalog.leases().acquire(0, "bench", Duration.ofMinutes(5)).orElseThrow();
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < readers; i++) {
                vt.submit(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            catalog.segments().version();
                            reads.incrementAndGet();
                        } catch (RuntimeException e) {
                            readFailures.incrementAndGet();
                        }
                        longestRead.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    }
                    return null;
                });
            }
            vt.submit(() -> {
                long next = 0;
                while (System.nanoTime() < end) {
                    try {
                        catalog.segments().registerL0(lease, l0("bench-" + next, 0, next, next + 10), key, next + 10);
                        next += 10;
                        writes.incrementAndGet();
                        if (promotedAt.get() != 0) {
                            firstWriteAfterPromotion.compareAndSet(0, System.nanoTime());
                        }
                    } catch (RuntimeException e) {
                        firstWriteFailure.compareAndSet(0, System.nanoTime());
                        lastWriteFailure.set(System.nanoTime());
                        next = catalog.offsets().committed(key).orElse(0);
                    }
                }
                return null;
            });
            Thread.sleep(2_000);
            crashedAt.set(System.nanoTime());
            primary.stopImmediate();
            Thread.sleep(500);
            replica.promote();
            promotedAt.set(System.nanoTime());
        }
        System.out.println("| failover | value |");
        System.out.println("|---|---|");
        System.out.printf("| reads (failed) | %d (%d) |%n", reads.get(), readFailures.get());
        System.out.printf("| longest read | %.1f ms |%n", longestRead.get() / 1e6);
        System.out.printf("| writes | %d |%n", writes.get());
        System.out.printf("| writes failing: crash -> last failed write | %s |%n",
                lastWriteFailure.get() == 0 ? "none failed (retries absorbed it)"
                        : String.format("%.1f s", (lastWriteFailure.get() - crashedAt.get()) / 1e9));
        System.out.printf("| promotion -> first write that succeeded | %s |%n", firstWriteAfterPromotion.get() == 0 ? "never"
                : String.format("%.2f s", (firstWriteAfterPromotion.get() - promotedAt.get()) / 1e9));
        System.out.printf("| writer retries (whole run) | %d |%n", catalog.retries());
    }

    private static String ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return "-";
        }
        return String.format("%.3f ms", sorted[rank(sorted.length, q)] / 1e6);
    }

    /** The index of quantile {@code q} in a sorted array of {@code n} values (nearest rank). */
    private static int rank(int n, double q) {
        return (int) Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
    }
}
