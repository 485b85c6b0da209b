package io.storageengine.compactor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.job.CompactionJob;
import io.storageengine.compactor.worker.CompactorWorker;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quiet partition on a real broker and PostgreSQL: small WAL batches, each cut into its own L0
 * and merged into a small L1 generation; the worker re-merges runs of them ({@code merge_l1}).
 * Every published record stays in exactly one active segment and every sampled page matches the
 * reference model after each batch, and fewer L1 segments remain than generations were written.
 */
class L1RemergeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final TimelineKey T = new TimelineKey(new TenantId(31, 1), new TimelineId(32, 1));
    private static final int BATCHES = 10;

    @TempDir
    Path dir;

    private static long succeeded(ItEnv env, String kind) {
        return IntStream.range(0, env.partitions).mapToLong(p -> env.catalog.jobs().recent(p, 1000).stream()
                .filter(j -> j.kind().equals(kind) && j.status() == CompactionJob.Status.SUCCEEDED).count()).sum();
    }

    @Test
    void smallL1GenerationsOfAQuietPartitionAreReMergedAndReadsStayTheSame() throws Exception {
        try (ItEnv env = new ItEnv(dir, 2)) {
            env.env.put("SE_COMPACTOR_L0_TRIGGER", "1"); // each batch: one L0 per partition, merged alone
            env.env.put("SE_COMPACTOR_IMAGE_CHAIN_THRESHOLD", "1000"); // no images: re-merge alone shortens the chain
            env.env.put("SE_COMPACTOR_L1_MERGE_TRIGGER", "4");
            WalStream wal = new WalStream();
            try (CompactorWorker w = env.startWorker()) {
                long lsn = 0x0100_0000L;
                for (int b = 0; b < BATCHES; b++) {
                    wal.publish(env.broker, env.topic, env.partitions, T, WalGen.builder().seed(40 + b).relations(2)
                            .pagesPerRelation(32).imageRatio(0.1).records(120).startLsn(lsn).build());
                    lsn = wal.maxLsn.get(T) + 1000;
                    env.awaitCaughtUpAndSettled(TIMEOUT);
                    SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                    SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 300, b);
                }
                long l0Merges = succeeded(env, "merge_l0");
                long reMerges = succeeded(env, "merge_l1");
                long l1 = SegmentCheck.count(env.catalog, SegmentKind.DELTA, 1);
                assertThat(l0Merges).as("one small generation per batch and partition").isGreaterThanOrEqualTo(BATCHES);
                assertThat(reMerges).isPositive();
                assertThat(l1).as("L1 segments left after %d generations", l0Merges).isLessThan(l0Merges);
                assertThat(w.isHealthy()).isTrue();
            }
        }
    }
}
