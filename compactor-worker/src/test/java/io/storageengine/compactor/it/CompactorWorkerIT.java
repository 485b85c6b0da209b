package io.storageengine.compactor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.job.CompactionJob;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.SegmentState;
import io.storageengine.compactor.worker.CompactorWorker;
import io.storageengine.compactor.worker.StatusReport;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker and PostgreSQL: walgen streams (with corrupt, reserved and rule-breaking frames)
 * published transactionally; in-process workers build L0, merge, image and GC; the catalog's
 * active segments must hold every published record exactly once and reconstruct every sampled
 * page as the reference model does.
 */
class CompactorWorkerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final TimelineKey T1 = new TimelineKey(new TenantId(11, 1), new TimelineId(12, 1));
    private static final TimelineKey T2 = new TimelineKey(new TenantId(11, 2), new TimelineId(12, 2));

    @TempDir
    Path dir;

    static WalGen gen(long seed, long records) {
        return WalGen.builder().seed(seed).relations(4).pagesPerRelation(64).imageRatio(0.2).records(records)
                .flipRate(0.002).reservedRate(0.002).badRecordRate(0.002).build();
    }

    @Test
    void everyRecordIsInExactlyOneActiveSegmentAndPagesMatchTheModelThroughMergeImagesAndGc() throws Exception {
        try (ItEnv env = new ItEnv(dir, 4)) {
            WalStream wal = new WalStream();
            wal.publish(env.broker, env.topic, env.partitions, T1, gen(1, 6000));
            wal.publish(env.broker, env.topic, env.partitions, T2, gen(2, 4000));
            assertThat(wal.badPublished).isPositive();
            try (CompactorWorker w = env.startWorker()) {
                env.awaitCaughtUpAndSettled(TIMEOUT);
                assertThat(SegmentCheck.count(env.catalog, SegmentKind.DELTA, 1)).as("L1 segments").isPositive();
                SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 1500, 1);

                // More WAL on top: further merges and image segments, same answers.
                wal.publish(env.broker, env.topic, env.partitions, T1, WalGen.builder().seed(3).relations(4)
                        .pagesPerRelation(64).imageRatio(0.1).startLsn(wal.maxLsn.get(T1) + 1000).records(6000).build());
                env.awaitCaughtUpAndSettled(TIMEOUT);
                assertThat(SegmentCheck.count(env.catalog, SegmentKind.IMAGE, -1)).as("image segments").isPositive();
                SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 1500, 2);

                // GC: horizons at the newest LSN; shadowed segments are retired, reads at/above the horizon unchanged.
                long h1 = wal.maxLsn.get(T1);
                long h2 = wal.maxLsn.get(T2);
                int segmentsBeforeGc = env.catalog.segments().active().size();
                env.catalog.timelines().raiseGcHorizon(T1, h1);
                env.catalog.timelines().raiseGcHorizon(T2, h2);
                ItEnv.await(TIMEOUT, () -> env.catalog.jobs().recent(0, 100).stream().anyMatch(j -> j.kind().equals("retire")
                        && j.status() == CompactionJob.Status.SUCCEEDED) || IntStream.range(0, env.partitions)
                        .anyMatch(p -> env.catalog.jobs().recent(p, 100).stream().anyMatch(j -> j.kind().equals("retire"))),
                        "a GC retirement");
                env.awaitCaughtUpAndSettled(TIMEOUT);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, page -> java.util.Arrays.equals(page, 0, 32,
                        T1.toBytes(), 0, 32) ? h1 : h2, 1500, 3);
                assertThat(env.catalog.segments().active().size()).isLessThan(segmentsBeforeGc);
                // Horizons a retirement relied on stay published (raise-only), so readers refuse LSNs below them.
                assertThat(env.catalog.timelines().gcHorizon(T1).orElseThrow()).isGreaterThanOrEqualTo(h1);
                assertThat(SegmentCheck.deltaRecordCounts(env.catalog, env.store).values()).allMatch(n -> n == 1);

                // Retired files are deleted after the grace period and marked DELETED.
                List<CatalogSegment> retired = env.catalog.segments().retiredBefore(java.time.Instant.now().plusSeconds(3600));
                ItEnv.await(TIMEOUT, () -> env.catalog.segments().retiredBefore(java.time.Instant.now().plusSeconds(3600)).isEmpty(),
                        "retired files deleted");
                for (CatalogSegment s : retired) {
                    assertThat(env.catalog.segments().segment(s.name()).orElseThrow().state()).isEqualTo(SegmentState.DELETED);
                    assertThat(Files.exists(env.segmentDir.resolve(s.name()))).isFalse();
                }

                ByteArrayOutputStream out = new ByteArrayOutputStream();
                StatusReport.print(env.catalog, env.config(), new PrintStream(out, true, StandardCharsets.UTF_8));
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("partition", "L0 backlog", w.config().workerId());
            }
        }
    }

    @Test
    void twoWorkersSplitThePartitionsAndBuildEverySegmentOnce() throws Exception {
        try (ItEnv env = new ItEnv(dir, 6)) {
            WalStream wal = new WalStream();
            try (CompactorWorker a = env.startWorker(); CompactorWorker b = env.startWorker()) {
                ItEnv.await(TIMEOUT, () -> a.leasedPartitions().size() + b.leasedPartitions().size() == env.partitions
                        && !a.leasedPartitions().isEmpty() && !b.leasedPartitions().isEmpty(), "both workers hold leases");
                Set<Integer> union = new HashSet<>(a.leasedPartitions());
                union.addAll(b.leasedPartitions());
                assertThat(union).hasSize(env.partitions);
                assertThat(new ArrayList<>(a.leasedPartitions())).doesNotContainAnyElementsOf(b.leasedPartitions());

                wal.publish(env.broker, env.topic, env.partitions, T1, gen(4, 8000));
                env.awaitCaughtUpAndSettled(TIMEOUT);
                SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 1000, 4);
                Set<String> owners = new HashSet<>();
                for (int p = 0; p < env.partitions; p++) {
                    env.catalog.jobs().recent(p, 1000).forEach(j -> owners.add(j.owner()));
                }
                assertThat(owners).as("compaction jobs ran on both workers")
                        .contains(a.config().workerId(), b.config().workerId());
            }
        }
    }

    @Test
    void aPostgresRestartInTheMiddleOfWorkLosesAndDoublesNothing() throws Exception {
        try (ItEnv env = new ItEnv(dir, 4)) {
            WalStream wal = new WalStream();
            try (CompactorWorker w = env.startWorker()) {
                Thread publisher = new Thread(() -> wal.publish(env.broker, env.topic, env.partitions, T1, gen(5, 12000)));
                publisher.start();
                ItEnv.await(TIMEOUT, () -> SegmentCheck.count(env.catalog, SegmentKind.DELTA, 0)
                        + SegmentCheck.count(env.catalog, SegmentKind.DELTA, 1) >= 4, "segments being built");
                env.pg.restart();
                publisher.join();
                env.awaitCaughtUpAndSettled(TIMEOUT);
                SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 1000, 5);
                assertThat(w.isHealthy()).isTrue();
            }
        }
    }
}
