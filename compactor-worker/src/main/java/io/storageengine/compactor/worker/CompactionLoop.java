package io.storageengine.compactor.worker;

import io.storageengine.catalog.lease.Lease;
import io.storageengine.compactor.compaction.CatalogSnapshots;
import io.storageengine.compactor.compaction.CompactionPlanner;
import io.storageengine.compactor.compaction.CompactionPolicy;
import io.storageengine.compactor.compaction.PlannedJob;
import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.compactor.internal.CpuPacer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compaction thread: visits the owned partitions in turn; for each one whose lease is held,
 * loads a catalog snapshot, asks the planner, and runs the first job it proposes (then moves on,
 * so no partition starves). Sleeps {@code idlePoll} when no partition had work. At most one job per
 * partition at a time ({@link PartitionOwner#beginJob}); a revocation cancels it. A job whose
 * partition's L0 backlog is within {@code compactor.pacing.behind-l0-segments} runs paced to
 * {@code compactor.pacing.cpu-share} of a core ({@link CpuPacer}), a job of a partition behind at
 * full speed. A partition whose job failed gets no job for a backoff that doubles with each
 * consecutive failure (1 s up to {@link PartitionOwner#MAX_RETRY}; a full disk fails every merge).
 * Run by one thread;
 * {@link #stop()} from any thread.
 */
final class CompactionLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CompactionLoop.class);

    private final CompactorConfig config;
    private final io.storageengine.catalog.Catalog catalog;
    private final CompactionPlanner planner;
    private final CompactionPolicy policy;
    private final JobExecutor executor;
    private final ConcurrentMap<Integer, PartitionOwner> owners;
    private final WorkerMetrics metrics;
    private final CpuPacer pacer;
    private final Object sleeper = new Object();
    private volatile boolean stopping;

    CompactionLoop(CompactorConfig config, io.storageengine.catalog.Catalog catalog, CompactionPlanner planner,
                   JobExecutor executor, ConcurrentMap<Integer, PartitionOwner> owners, WorkerMetrics metrics) {
        this.config = config;
        this.catalog = catalog;
        this.planner = planner;
        this.policy = config.policy();
        this.executor = executor;
        this.owners = owners;
        this.metrics = metrics;
        this.pacer = new CpuPacer(config.pacing().cpuShare());
        io.micrometer.core.instrument.FunctionCounter.builder("compactor.pacing.paused.seconds", pacer,
                CpuPacer::pausedSeconds).description("time compaction jobs slept to stay within compactor.pacing.cpu-share")
                .register(metrics.registry());
        io.micrometer.core.instrument.FunctionCounter.builder("compactor.pacing.paced.jobs", pacer,
                CpuPacer::pacedJobs).description("jobs run paced (their partition was ahead)").register(metrics.registry());
    }

    void stop() {
        stopping = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    @Override
    public void run() {
        while (!stopping) {
            boolean worked = false;
            List<PartitionOwner> list = new ArrayList<>(owners.values());
            list.sort(Comparator.comparingInt(PartitionOwner::partition));
            for (PartitionOwner o : list) {
                if (stopping) {
                    break;
                }
                worked |= runOne(o);
            }
            if (!worked && !stopping) {
                synchronized (sleeper) {
                    try {
                        sleeper.wait(config.idlePoll().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** Plans and runs at most one job on the partition; true if a job ran. */
    private boolean runOne(PartitionOwner o) {
        if (!o.jobDue(System.nanoTime())) {
            return false;
        }
        Cancellation cancel = new Cancellation(pacer);
        if (!o.beginJob(cancel)) {
            return false;
        }
        try {
            Lease lease = o.lease();
            if (lease == null) {
                return false;
            }
            CatalogSnapshots.Loaded loaded = CatalogSnapshots.load(catalog, o.partition());
            metrics.l0Backlog(o.partition(), loaded.l0Count());
            List<PlannedJob> jobs = planner.plan(loaded.snapshot(), policy);
            if (jobs.isEmpty()) {
                return false;
            }
            // ahead (backlog within bounds): paced to the CPU share; behind: full speed to catch up
            pacer.engage(loaded.l0Count() <= config.pacing().behindL0Segments());
            JobExecutor.Outcome outcome = executor.run(jobs.get(0), loaded, lease, cancel);
            if (outcome == JobExecutor.Outcome.FENCED) {
                metrics.leaseLost("fenced");
                o.leaseLost("fenced during a " + jobs.get(0).kind() + " job");
            } else if (outcome == JobExecutor.Outcome.FAILED) {
                java.time.Duration wait = o.jobFailed(System.nanoTime());
                LOG.warn("partition {}: no new job for {} ({} failed in a row)", o.partition(), wait, o.jobFailures());
            } else if (outcome == JobExecutor.Outcome.SUCCEEDED) {
                if (o.jobFailures() > 0) {
                    LOG.info("partition {}: a {} job succeeded after {} failed ones", o.partition(), jobs.get(0).kind(),
                            o.jobFailures());
                }
                o.jobSucceeded();
            }
            return outcome == JobExecutor.Outcome.SUCCEEDED;
        } catch (RuntimeException e) {
            LOG.warn("partition {}: planning failed: {}", o.partition(), e.toString());
            return false;
        } finally {
            o.endJob();
        }
    }
}
