package io.storageengine.compactor.worker;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConflictException;
import io.storageengine.catalog.CatalogUnavailableException;
import io.storageengine.catalog.job.CompactionJob;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.lease.StaleLeaseException;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.compactor.compaction.CatalogSnapshots;
import io.storageengine.compactor.compaction.CompactionPolicy;
import io.storageengine.compactor.compaction.PlannedJob;
import io.storageengine.compactor.compaction.SegmentView;
import io.storageengine.compactor.gc.PendingOutputs;
import io.storageengine.compactor.image.ImageBuilder;
import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.compactor.merge.JobResult;
import io.storageengine.compactor.merge.L1Merger;
import io.storageengine.compactor.merge.SegmentOutputs;
import io.storageengine.segments.store.SegmentMetas;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one planned job to the end: records it in the catalog's job history, writes its outputs
 * (merge or images) into the store, then swaps the segment map in one fenced transaction
 * ({@link io.storageengine.catalog.segmentmap.SegmentMap#replace}): a merge (L0 → L1, or an L1 re-merge, both by
 * {@link L1Merger}) retires its inputs and adds its outputs, an image job
 * only adds, a retirement only retires. If anything fails or the job is cancelled before the swap,
 * its outputs are deleted and nothing is registered. If the swap's outcome is unknown (catalog
 * unreachable while committing), the outputs are kept: they are either registered or orphans the
 * sweep deletes later; until the swap has returned or thrown, the job's output prefix is held in
 * {@link PendingOutputs} so that the sweep leaves its files alone however long the job runs.
 * Stateless apart from its collaborators; thread-safe.
 */
public final class JobExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(JobExecutor.class);

    /** How a job ended. */
    public enum Outcome { SUCCEEDED, CANCELLED, FENCED, FAILED }

    private final Catalog catalog;
    private final SegmentStore store;
    private final CompactionPolicy policy;
    private final WorkerMetrics metrics;
    private final PendingOutputs pending;

    public JobExecutor(Catalog catalog, SegmentStore store, CompactionPolicy policy, WorkerMetrics metrics,
                       PendingOutputs pending) {
        this.catalog = catalog;
        this.store = store;
        this.policy = policy;
        this.metrics = metrics;
        this.pending = pending;
    }

    public Outcome run(PlannedJob job, CatalogSnapshots.Loaded loaded, Lease lease, Cancellation cancel) {
        UUID id = UUID.randomUUID();
        List<String> inputs = loaded.names(job.inputs());
        String prefix = "p" + job.partition() + "-" + switch (job) {
            case PlannedJob.MergeL0 m -> "L1-" + start(job.inputs()) + "-" + end(job.inputs());
            case PlannedJob.MergeL1 m -> "L1-" + start(job.inputs()) + "-" + end(job.inputs());
            case PlannedJob.CreateImages c -> "IMG-" + c.cutOffset();
            case PlannedJob.Retire r -> "GC";
        } + "-e" + lease.epoch() + "-" + id.toString().substring(0, 8);
        long t0 = System.nanoTime();
        metrics.jobStarted();
        JobResult result = null;
        Outcome outcome = Outcome.FAILED;
        String error = null;
        boolean keepOutputs = false;
        try (PendingOutputs.Hold held = pending.hold(prefix)) {
            catalog.jobs().start(id, job.kind(), lease, inputs);
            result = switch (job) {
                case PlannedJob.MergeL0 m -> L1Merger.merge(store, inputs, job.partition(), policy.l1TargetBytes(), prefix, cancel);
                case PlannedJob.MergeL1 m -> L1Merger.merge(store, inputs, job.partition(), policy.l1TargetBytes(), prefix, cancel);
                case PlannedJob.CreateImages c -> ImageBuilder.build(store, inputs, job.partition(), prefix, cancel);
                case PlannedJob.Retire r -> new JobResult(List.of(), 0, 0, 0, 0);
            };
            cancel.check();
            List<SegmentMeta> outputs = result.outputs().stream().map(o -> meta(job, o)).toList();
            List<String> retired = job instanceof PlannedJob.CreateImages ? List.of() : inputs;
            if (retired.isEmpty() && outputs.isEmpty()) {
                outcome = Outcome.SUCCEEDED;
                return outcome;
            }
            if (job instanceof PlannedJob.Retire r) {
                // Raise-only: readers must refuse LSNs below the horizon before the segments go.
                r.horizons().forEach(catalog.timelines()::raiseGcHorizon);
            }
            keepOutputs = true; // from here on the swap may commit even if we see an error
            catalog.segments().replace(lease, retired, outputs);
            outcome = Outcome.SUCCEEDED;
            metrics.imagePagesKeptAsVersions(result.pagesKeptAsVersions());
            LOG.info("partition {}: {} done: {} inputs → {} outputs, {} → {} bytes, {} records ({} duplicates dropped,"
                    + " {} pages kept as versions)", job.partition(), job.kind(), inputs.size(), outputs.size(),
                    result.bytesIn(), result.bytesOut(), result.records(), result.duplicates(), result.pagesKeptAsVersions());
            return outcome;
        } catch (CancellationException e) {
            outcome = Outcome.CANCELLED;
            error = e.getMessage();
            keepOutputs = false;
            return outcome;
        } catch (StaleLeaseException e) {
            outcome = Outcome.FENCED;
            error = e.getMessage();
            keepOutputs = false;
            return outcome;
        } catch (CatalogConflictException e) {
            error = e.getMessage();
            keepOutputs = false;
            LOG.warn("partition {}: {} refused by the catalog: {}", job.partition(), job.kind(), e.getMessage());
            return outcome;
        } catch (CatalogUnavailableException e) {
            error = e.getMessage();
            LOG.warn("partition {}: {} failed, catalog unavailable: {}", job.partition(), job.kind(), e.getMessage());
            return outcome;
        } catch (io.storageengine.compactor.internal.SegmentWriteException e) {
            error = e.getMessage();
            keepOutputs = false;
            metrics.segmentWriteFailed();
            LOG.warn("partition {}: {} failed, its outputs deleted: {}", job.partition(), job.kind(), e.getMessage());
            return outcome;
        } catch (IOException | RuntimeException e) {
            error = e.toString();
            keepOutputs = false;
            LOG.error("partition {}: {} failed", job.partition(), job.kind(), e);
            return outcome;
        } finally {
            if (!keepOutputs && result != null) {
                deleteQuietly(result.outputs());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            metrics.jobEnded(job.kind(), outcome.name().toLowerCase(), took, result == null ? 0 : result.bytesIn(),
                    result == null ? 0 : result.bytesOut());
            try {
                catalog.jobs().finish(id, switch (outcome) {
                    case SUCCEEDED -> CompactionJob.Status.SUCCEEDED;
                    case CANCELLED -> CompactionJob.Status.CANCELLED;
                    default -> CompactionJob.Status.FAILED;
                }, result == null || !keepOutputs ? List.of()
                        : result.outputs().stream().map(SegmentOutputs.Output::name).toList(),
                        result == null ? 0 : result.bytesIn(), result == null ? 0 : result.bytesOut(), error);
            } catch (RuntimeException e) {
                LOG.warn("could not record the end of job {}: {}", id, e.toString());
            }
        }
    }

    private void deleteQuietly(List<SegmentOutputs.Output> outputs) {
        for (SegmentOutputs.Output o : outputs) {
            try {
                store.delete(o.name());
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not delete output {} (the orphan sweep will): {}", o.name(), e.toString());
            }
        }
    }

    private SegmentMeta meta(PlannedJob job, SegmentOutputs.Output o) {
        long start = start(job.inputs());
        long end = job instanceof PlannedJob.CreateImages c ? c.cutOffset() : end(job.inputs());
        return SegmentMetas.of(o.name(), o.info(), store.name(), o.location(), start, end);
    }

    private static long start(List<SegmentView> inputs) {
        return inputs.stream().mapToLong(SegmentView::startOffset).filter(x -> x >= 0).min().orElse(0);
    }

    private static long end(List<SegmentView> inputs) {
        return inputs.stream().mapToLong(SegmentView::endOffset).max().orElse(0);
    }
}
