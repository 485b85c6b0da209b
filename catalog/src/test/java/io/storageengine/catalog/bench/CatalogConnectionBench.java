package io.storageengine.catalog.bench;

import static io.storageengine.catalog.Fixtures.l0;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.connection.ConnectionOptions;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.testsupport.LocalPostgres;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Catalog connection benchmark (catalog/README.md, "Benchmark"; scripts/bench-catalog.sh). Starts a
 * private PostgreSQL primary and a streaming replica (test-support), opens a {@link Catalog} on both
 * and reports, as Markdown:
 *
 * <ol>
 *   <li><b>spike</b>: {@code BENCH_REQUESTS} (10,000) virtual threads released at once, each one
 *       catalog read: lag-tolerant ({@code segments().version()}, round-robin over the replica and,
 *       when it is not usable, the primary), then the same on the primary only. Connection
 *       acquisition time p50 / p95 / p99 / max (every {@code getConnection} of the manager's pools,
 *       the probe's included) and whole-read time, failures. Goal: acquisition p99 &lt; 5 ms.</li>
 *   <li><b>failover</b>: {@code BENCH_READERS} (64) virtual threads reading in a loop and one writer
 *       registering L0 segments; after 2 s the primary is stopped with {@code -m immediate}, 0.5 s
 *       later the replica is promoted; 10 s more. Reports failed reads, the longest read, how long
 *       writes failed (crash → first write that succeeded) and promotion → first write. Goals: reads
 *       never fail while a replica is healthy; writes resume within 10 s of the promotion.</li>
 * </ol>
 *
 * Knobs (env): BENCH_REQUESTS (10000), BENCH_POOL_SIZE (16, per server), BENCH_READERS (64).
 * Not a test: prints figures, asserts nothing. The lead runs it on a quiet machine.
 */
public final class CatalogConnectionBench {
    private CatalogConnectionBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(System.getenv().getOrDefault("BENCH_REQUESTS", "10000"));
        int poolSize = Integer.parseInt(System.getenv().getOrDefault("BENCH_POOL_SIZE", "16"));
        int readers = Integer.parseInt(System.getenv().getOrDefault("BENCH_READERS", "64"));
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
                System.out.println("| phase | acquisition p50 | p95 | p99 | max | read p50 | p99 | failed |");
                System.out.println("|---|---|---|---|---|---|---|---|");
                spike(catalog, requests / 10, () -> catalog.segments().version(), null); // warm-up, not printed
                spike(catalog, requests, () -> catalog.segments().version(), "spike, lag-tolerant reads");
                spike(catalog, requests, () -> catalog.connections().primary().transaction("bench", c -> 1),
                        "spike, primary reads");
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

    private static void spike(Catalog catalog, int n, Supplier<Object> read, String label) throws InterruptedException {
        AtomicLongArray acquisitions = new AtomicLongArray(4 * n + 1024);
        AtomicInteger count = new AtomicInteger();
        catalog.connections().acquisitionListener(ns -> {
            int i = count.getAndIncrement();
            if (i < acquisitions.length()) {
                acquisitions.set(i, ns);
            }
        });
        long[] reads = new long[n];
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(n);
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int k = i;
                vt.submit(() -> {
                    try {
                        go.await();
                        long t0 = System.nanoTime();
                        read.get();
                        reads[k] = System.nanoTime() - t0;
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        reads[k] = -1;
                    } finally {
                        done.countDown();
                    }
                    return null;
                });
            }
            go.countDown();
            done.await();
        }
        catalog.connections().acquisitionListener(ns -> { });
        if (label == null) {
            return;
        }
        long[] acq = new long[Math.min(count.get(), acquisitions.length())];
        for (int i = 0; i < acq.length; i++) {
            acq[i] = acquisitions.get(i);
        }
        long[] ok = Arrays.stream(reads).filter(r -> r >= 0).sorted().toArray();
        Arrays.sort(acq);
        System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %d |%n", label, ms(acq, 0.50), ms(acq, 0.95), ms(acq, 0.99),
                ms(acq, 1.0), ms(ok, 0.50), ms(ok, 0.99), failed.get());
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
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return String.format("%.3f ms", sorted[i] / 1e6);
    }
}
