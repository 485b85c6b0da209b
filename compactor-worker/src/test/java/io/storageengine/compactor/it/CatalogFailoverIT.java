package io.storageengine.compactor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.compactor.worker.CompactorWorker;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's primary crashes ({@code pg_ctl stop -m immediate}) while a worker registers L0
 * segments and merges, and its (asynchronous) streaming replica is promoted: the same worker
 * process goes on without a restart, and at the end the catalog holds every published WAL record
 * in exactly one active segment, with the committed offsets at the end of the topic (checked
 * against the WAL topic's contents). Registrations acknowledged but lost with the old primary
 * are redone from the WAL topic (the worker re-reads from the catalog's offset).
 */
class CatalogFailoverIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(150);
    private static final TimelineKey T = new TimelineKey(new TenantId(31, 1), new TimelineId(32, 1));

    @TempDir
    Path dir;

    @Test
    void theWorkerResumesOnThePromotedReplicaWithEverySegmentExactlyOnce() throws Exception {
        LocalPostgres primary = LocalPostgres.startPrivate();
        LocalPostgres replica = primary.startReplica();
        try (ItEnv env = new ItEnv(dir, 3, primary, replica)) {
            WalStream wal = new WalStream();
            wal.publish(env.broker, env.topic, env.partitions, T, WalGen.builder().seed(5).relations(4).pagesPerRelation(128)
                    .imageRatio(0.3).records(12000).flipRate(0.001).build());
            try (CompactorWorker worker = CompactorWorker.start(env.config(), new SimpleMeterRegistry())) {
                ItEnv.await(TIMEOUT, () -> env.catalog.segments().version() >= 4, "some L0 segments registered");
                primary.stopImmediate();
                Thread.sleep(300);
                replica.promote();
                // more WAL after the failover: the worker must register it on the new primary
                wal.publish(env.broker, env.topic, env.partitions, T, WalGen.builder().seed(6).relations(4)
                        .pagesPerRelation(128).imageRatio(0.3).startLsn(wal.maxLsn.get(T) + 1000).records(4000).build());
                env.awaitCaughtUpAndSettled(TIMEOUT);
                assertThat(worker.isHealthy()).isTrue();
                SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 1000, 5);
                assertThat(worker.catalog().poolStatus().getFirst().breaker()).isEqualTo("CLOSED");
                // whether a write was in flight at the crash (and so retried) is up to timing; where
                // the worker's writes now go is not
                int writesGoTo = worker.catalog().connections().primary().transaction("port", c -> {
                    try (var st = c.createStatement(); var rs = st.executeQuery("SELECT inet_server_port()")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
                assertThat(writesGoTo).isEqualTo(replica.port());
            }
        } finally {
            replica.discard();
            primary.discard();
        }
    }
}
