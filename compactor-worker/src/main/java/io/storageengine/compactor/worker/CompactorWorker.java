package io.storageengine.compactor.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.lease.StaleLeaseException;
import io.storageengine.compactor.compaction.LeveledPlanner;
import io.storageengine.compactor.gc.PendingOutputs;
import io.storageengine.compactor.gc.RetiredFileReaper;
import io.storageengine.compactor.l0.L0Flusher;
import io.storageengine.compactor.l0.MemoryBudget;
import io.storageengine.runtime.failpoint.Failpoints;
import io.storageengine.segments.segment.IoFault;
import io.storageengine.segments.segment.SegmentFaults;
import io.storageengine.segments.store.SegmentStore;
import io.storageengine.segments.store.SegmentStores;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compactor worker: opens the catalog (migrating it) and the segment store, then runs three
 * threads: the WAL consumer (L0 cuts, rebalances, lease acquisition), the compaction loop (merge,
 * images, GC retirements), and a scheduler (lease renewal every third of the TTL, deletion of
 * retired and orphan files). Workers scale by running more of them in the same consumer group:
 * Kafka spreads the partitions, the catalog leases make sure one worker at a time writes a
 * partition's segments. {@link #close()} stops everything within about 30 s: running jobs are
 * cancelled (their files deleted, nothing registered), buffers dropped, leases released.
 * The segment store's file I/O passes the process's failpoints {@value #SEGMENT_WRITE} (every
 * write to a new segment file) and {@value #SEGMENT_READ} (every block read of a merge input):
 * drills of a full or slow disk. Thread-safe.
 */
public final class CompactorWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompactorWorker.class);
    /** The failpoint before every write to a new segment file. */
    public static final String SEGMENT_WRITE = "segment-write";
    /** The failpoint before every data block read from a segment file (merge and image inputs). */
    public static final String SEGMENT_READ = "segment-read";

    private final CompactorConfig config;
    private final Catalog catalog;
    private final boolean ownsCatalog;
    private final SegmentStore store;
    private final ConcurrentMap<Integer, PartitionOwner> owners = new ConcurrentHashMap<>();
    private final MemoryBudget budget;
    private final WorkerMetrics metrics;
    private final WalConsumer consumer;
    private final CompactionLoop loop;
    private final RetiredFileReaper reaper;
    private final ScheduledExecutorService scheduler;
    private final Thread consumerThread;
    private final Thread loopThread;
    private volatile boolean closed;

    private CompactorWorker(CompactorConfig config, Catalog catalog, boolean ownsCatalog, SegmentStore store,
                            MeterRegistry registry) {
        this.config = config;
        this.catalog = catalog;
        this.ownsCatalog = ownsCatalog;
        this.store = store;
        this.budget = new MemoryBudget(config.memoryBudgetBytes());
        this.metrics = new WorkerMetrics(registry, budget, owners);
        PendingOutputs pending = new PendingOutputs();
        this.consumer = new WalConsumer(config, catalog,
                new L0Flusher(catalog, store, config.consumerGroup(), config.topic(), pending), budget, owners, metrics);
        this.loop = new CompactionLoop(config, catalog, new LeveledPlanner(),
                new JobExecutor(catalog, store, config.policy(), metrics, pending), owners, metrics);
        this.reaper = new RetiredFileReaper(catalog, store, config.gcGrace(), pending);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "compactor-housekeeping"));
        this.consumerThread = daemon(consumer, "compactor-wal-consumer");
        this.loopThread = daemon(loop, "compactor-jobs");
    }

    /** Opens the catalog and store described by {@code config} and starts the worker. */
    public static CompactorWorker start(CompactorConfig config, MeterRegistry registry) throws IOException {
        return start(config, registry, Failpoints.none());
    }

    /** As above, the segment store's I/O passing {@code failpoints} ({@value #SEGMENT_WRITE}, {@value #SEGMENT_READ}). */
    public static CompactorWorker start(CompactorConfig config, MeterRegistry registry, Failpoints failpoints)
            throws IOException {
        Catalog catalog = Catalog.open(config.catalog());
        try {
            if (registry != null) {
                catalog.bindTo(registry); // se.catalog.pool.* gauges
            }
            return start(config, catalog, true, registry, failpoints);
        } catch (IOException | RuntimeException e) {
            catalog.close();
            throw e;
        }
    }

    /** Starts a worker on an open catalog (not closed by the worker unless {@code ownsCatalog}). */
    public static CompactorWorker start(CompactorConfig config, Catalog catalog, boolean ownsCatalog, MeterRegistry registry)
            throws IOException {
        return start(config, catalog, ownsCatalog, registry, Failpoints.none());
    }

    /** As above, the segment store's I/O passing {@code failpoints}. */
    public static CompactorWorker start(CompactorConfig config, Catalog catalog, boolean ownsCatalog, MeterRegistry registry,
                                        Failpoints failpoints) throws IOException {
        IoFault read = failpoints.point(SEGMENT_READ)::hit;
        IoFault write = failpoints.point(SEGMENT_WRITE)::hit;
        SegmentStore store = SegmentStores.open(SegmentStores.Config.of(SegmentStores.Kind.parse(config.segmentStore()),
                config.segmentDir()).withFaults(new SegmentFaults(read, write)).withBulkIo(config.bulkIo()), catalog);
        if (config.bulkIo().effectiveIn(store.stagingDirectory()) != config.bulkIo()) {
            LOG.warn("compactor.direct-io is on but the file system of {} refuses O_DIRECT: segments are written and "
                    + "merged through the page cache", store.stagingDirectory());
        }
        CompactorWorker w = new CompactorWorker(config, catalog, ownsCatalog, store, registry);
        w.consumerThread.start();
        w.loopThread.start();
        long renew = Math.max(1000, config.leaseTtl().toMillis() / 3);
        w.scheduler.scheduleWithFixedDelay(w::renewLeases, renew, renew, TimeUnit.MILLISECONDS);
        long gc = config.gcInterval().toMillis();
        w.scheduler.scheduleWithFixedDelay(w::reap, gc, gc, TimeUnit.MILLISECONDS);
        LOG.info("compactor worker {} started: topic {}, group {}, store {} ({} I/O), L0 {} bytes / {}, budget {} bytes, {}",
                config.workerId(), config.topic(), config.consumerGroup(), store, config.bulkIo(), config.l0SegmentBytes(),
                config.l0MaxAge(), config.memoryBudgetBytes(), config.policy());
        return w;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public CompactorConfig config() {
        return config;
    }

    public SegmentStore store() {
        return store;
    }

    public Catalog catalog() {
        return catalog;
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /** Partitions whose lease this worker holds now. */
    public List<Integer> leasedPartitions() {
        return owners.values().stream().filter(o -> o.lease() != null).map(PartitionOwner::partition).sorted().toList();
    }

    /** Healthy while its threads run. */
    public boolean isHealthy() {
        return !closed && consumer.isAlive() && loopThread.isAlive();
    }

    public Map<String, Object> health() {
        return Map.of("status", isHealthy() ? "UP" : "DOWN", "worker", config.workerId(),
                "leasedPartitions", leasedPartitions(), "bufferedBytes", budget.used(),
                "l0Backlog", metrics.l0BacklogTotal());
    }

    private void renewLeases() {
        for (PartitionOwner o : owners.values()) {
            Lease l = o.lease();
            if (l == null) {
                continue;
            }
            try {
                o.leaseRenewed(catalog.leases().renew(l, config.leaseTtl()));
            } catch (StaleLeaseException e) {
                LOG.warn("partition {}: lease lost: {}", o.partition(), e.getMessage());
                metrics.leaseLost("renew");
                o.leaseLost(e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("partition {}: could not renew the lease: {}", o.partition(), e.toString());
            }
        }
    }

    private void reap() {
        try {
            Instant now = Instant.now();
            int n = reaper.reap(this::leaseOf, now) + reaper.sweepOrphans(this::leaseOf, now);
            if (n > 0) {
                LOG.info("deleted {} retired or orphan segment files", n);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("deleting retired segment files failed: {}", e.toString());
        }
    }

    private Lease leaseOf(int partition) {
        PartitionOwner o = owners.get(partition);
        return o == null ? null : o.lease();
    }

    /** Runs one GC file pass now (tests). */
    public int reapNow() throws IOException {
        Instant now = Instant.now();
        return reaper.reap(this::leaseOf, now) + reaper.sweepOrphans(this::leaseOf, now);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("compactor worker {} stopping", config.workerId());
        loop.stop();
        owners.values().forEach(o -> o.cancelJob("shutdown")); // running jobs stop at once
        consumer.stop();
        join(loopThread);
        join(consumerThread);
        scheduler.shutdownNow();
        try {
            store.close();
        } catch (IOException e) {
            LOG.warn("closing the segment store: {}", e.toString());
        }
        if (ownsCatalog) {
            catalog.close();
        }
        LOG.info("compactor worker {} stopped", config.workerId());
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(35));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
