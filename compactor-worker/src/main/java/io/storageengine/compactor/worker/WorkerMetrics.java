package io.storageengine.compactor.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.storageengine.compactor.l0.MemoryBudget;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's Micrometer meters (Prometheus names in parentheses): active jobs
 * ({@code compactor_jobs_active}), job durations by kind and outcome ({@code compactor_job_seconds}),
 * bytes in/out by kind ({@code compactor_bytes_in_total}, {@code compactor_bytes_out_total}), failures
 * ({@code compactor_job_failures_total}), WAL records by outcome ({@code compactor_wal_records_total}),
 * L0 backlog ({@code compactor_l0_backlog_segments}), buffered bytes ({@code compactor_l0_buffered_bytes}),
 * owned partitions, catalog leases lost by reason ({@code compactor_lease_lost_total}: {@code renew}
 * a renewal met a newer epoch, {@code fenced} a job's catalog write was fenced, {@code l0} an L0
 * registration was refused), segment files that could not be written
 * ({@code compactor_segment_write_failures_total}: a full disk, an I/O error, the {@code segment-write}
 * failpoint). Thread-safe.
 */
public final class WorkerMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger activeJobs = new AtomicInteger();
    private final Map<Integer, AtomicLong> l0Backlog = new ConcurrentHashMap<>();
    private final AtomicLong l0BacklogTotal = new AtomicLong();
    private final Map<String, Counter> walRecords = new ConcurrentHashMap<>();
    private final Counter segmentWriteFailures;
    private final AtomicLong walLag = new AtomicLong();

    public WorkerMetrics(MeterRegistry registry, MemoryBudget budget, Map<Integer, ?> owned) {
        this.registry = registry;
        Gauge.builder("compactor.jobs.active", activeJobs, AtomicInteger::get).register(registry);
        Gauge.builder("compactor.l0.buffered.bytes", budget, MemoryBudget::used).baseUnit("bytes").register(registry);
        Gauge.builder("compactor.l0.backlog.segments", l0BacklogTotal, AtomicLong::get).register(registry);
        Gauge.builder("compactor.partitions.owned", owned, Map::size).register(registry);
        Gauge.builder("compactor.wal.lag.records", walLag, AtomicLong::get)
                .description("WAL records of the owned partitions not consumed yet (as of each partition's last fetch)")
                .register(registry);
        // Present (at 0) from the start, not only after the first record: a worker that has nothing
        // to consume (its partitions caught up) still exports the series.
        walRecords.put("page", Counter.builder("compactor.wal.records").tag("outcome", "page").register(registry));
        walRecords.put("watermark", Counter.builder("compactor.wal.records").tag("outcome", "watermark").register(registry));
        for (String reason : new String[] {"renew", "fenced", "l0"}) {
            Counter.builder("compactor.lease.lost").tag("reason", reason)
                    .description("Catalog leases this worker lost (taken over or fenced), by where it noticed")
                    .register(registry); // at 0 from the start, so increase() sees the first loss
        }
        segmentWriteFailures = Counter.builder("compactor.segment.write.failures")
                .description("L0 cuts and jobs that failed writing a segment file (disk full, I/O error); retried with backoff")
                .register(registry); // at 0 from the start, so increase() sees the first failure
    }

    /** The WAL consumer's lag summed over its partitions, after each poll. */
    public void walLag(long records) {
        walLag.set(records);
    }

    /** Counts one L0 cut or job that failed writing a segment file. */
    public void segmentWriteFailed() {
        segmentWriteFailures.increment();
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void jobStarted() {
        activeJobs.incrementAndGet();
    }

    public void jobEnded(String kind, String outcome, Duration took, long bytesIn, long bytesOut) {
        activeJobs.decrementAndGet();
        Timer.builder("compactor.job").tag("kind", kind).tag("outcome", outcome).register(registry).record(took);
        Counter.builder("compactor.bytes.in").baseUnit("bytes").tag("kind", kind).register(registry).increment(bytesIn);
        Counter.builder("compactor.bytes.out").baseUnit("bytes").tag("kind", kind).register(registry).increment(bytesOut);
        if (!outcome.equals("succeeded")) {
            Counter.builder("compactor.job.failures").tag("kind", kind).tag("outcome", outcome).register(registry).increment();
        }
    }

    /** Pages an image job kept as versions (no image) because a record of theirs could not be replayed. */
    public void imagePagesKeptAsVersions(long pages) {
        if (pages > 0) {
            Counter.builder("compactor.image.pages.kept").description(
                    "Pages left without an image (their versions kept) because a record could not be replayed")
                    .register(registry).increment(pages);
        }
    }

    /** Counts one lease this worker lost ({@code renew}, {@code fenced} or {@code l0}: where it noticed). */
    public void leaseLost(String reason) {
        Counter.builder("compactor.lease.lost").tag("reason", reason)
                .description("Catalog leases this worker lost (taken over or fenced), by where it noticed")
                .register(registry).increment();
    }

    public void walRecord(String outcome) {
        walRecords.computeIfAbsent(outcome,
                o -> Counter.builder("compactor.wal.records").tag("outcome", o).register(registry)).increment();
    }

    public void l0Backlog(int partition, long segments) {
        l0Backlog.computeIfAbsent(partition, p -> new AtomicLong()).set(segments);
        l0BacklogTotal.set(l0Backlog.values().stream().mapToLong(AtomicLong::get).sum());
    }

    public void forgetPartition(int partition) {
        l0Backlog.remove(partition);
        l0BacklogTotal.set(l0Backlog.values().stream().mapToLong(AtomicLong::get).sum());
    }

    public long l0BacklogTotal() {
        return l0BacklogTotal.get();
    }
}
