package io.storageengine.compactor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.job.CompactionJob;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.FaultTable;
import io.storageengine.testsupport.PrometheusProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a worker process in the middle of its work (a job RUNNING in the catalog's history),
 * then a new process: it waits for the dead worker's leases to expire, takes them with a higher
 * epoch, resumes from the catalog offsets; no record is lost or doubled, pages match the model,
 * and the dead worker's half-written files are swept. Both processes use one admin port, scraped by
 * a private Prometheus ({@link PrometheusProcess}, monitoring/alerts.yml, job {@code compactor}):
 * the alerts pending or firing from the kill until the new worker caught up are the fault table's
 * alerts column.
 */
class CompactorCrashIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(150);
    private static final TimelineKey T = new TimelineKey(new TenantId(21, 1), new TimelineId(22, 1));

    @TempDir
    Path dir;


    private static boolean jobRunning(ItEnv env) {
        return IntStream.range(0, env.partitions).anyMatch(p -> env.catalog.jobs().recent(p, 5).stream()
                .anyMatch(j -> j.status() == CompactionJob.Status.RUNNING));
    }

    @Test
    void aWorkerKilledMidJobIsReplacedWithoutLossOrDoubles() throws Exception {
        try (ItEnv env = new ItEnv(dir, 3); PrometheusProcess prometheus = PrometheusProcess.start("compactor-crash")) {
            env.env.put("SE_COMPACTOR_L0_SEGMENT_BYTES", Integer.toString(512 * 1024));
            env.env.put("SE_COMPACTOR_L1_TARGET_BYTES", Integer.toString(1024 * 1024));
            int adminPort = env.adminPortWatchedBy(prometheus); // one port for every worker: one Prometheus target
            String adminTarget = "127.0.0.1:" + adminPort;
            WalStream wal = new WalStream();

            Process first = env.spawnWorker("crash-first");
            Instant killed;
            try {
                // Scraped once before there is work, so that the kill (mid-job) is a change Prometheus sees.
                prometheus.awaitScraped("compactor", adminTarget, TIMEOUT);
                wal.publish(env.broker, env.topic, env.partitions, T, WalGen.builder().seed(9).relations(4)
                        .pagesPerRelation(128).imageRatio(0.3).records(15000).flipRate(0.001).build());
                awaitJobRunning(env, wal);
            } finally {
                killed = Instant.now();
                first.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup, leases left to expire
                assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }

            long restart = System.nanoTime();
            Process second = env.spawnWorker("crash-second");
            try {
                env.awaitCaughtUpAndSettled(TIMEOUT);
                long caughtUpMillis = (System.nanoTime() - restart) / 1_000_000;
                Instant caughtUp = Instant.now();
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                var health = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + adminPort + "/health")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"UP\"");
                var metrics = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("compactor_jobs_active", "compactor_wal_records_total",
                        "compactor_l0_backlog_segments", "compactor_job_seconds");
                SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 1500, 9);
                assertThat(env.catalog.leases().current(0).orElseThrow().epoch()).isGreaterThan(1);
                // From the kill until the new worker caught up (+ PrometheusProcess.SETTLE).
                String alerts = prometheus.alertsDuring(killed, caughtUp);
                System.out.printf("CompactorCrashIT: alerts %s; every alert seen: %s%n", alerts, prometheus.alertsSeen());
                // A row of ./se chaos's table (reads are not part of this test; no records lost or doubled, pages match)
                FaultTable.row("kill -9 compactor mid-job, restart", "0", "0", "- (no reads in this test)",
                        String.format("caught up %.1f s after the restart (lease TTL %s)", caughtUpMillis / 1e3,
                                env.env.getOrDefault("SE_COMPACTOR_LEASE_TTL", "default")), alerts);
                // Whatever the killed worker left half done is removed after the grace period.
                ItEnv.await(TIMEOUT, () -> onlyRegisteredFiles(env), "orphan files swept");
            } finally {
                second.destroy(); // SIGTERM: graceful stop
                assertThat(second.waitFor(40, TimeUnit.SECONDS)).as("graceful stop within 40 s").isTrue();
            }
            assertThat(IntStream.range(0, env.partitions).boxed().flatMap(p -> env.catalog.jobs().recent(p, 1000).stream())
                    .filter(j -> j.status() == CompactionJob.Status.RUNNING && !j.owner().isEmpty())
                    .map(CompactionJob::owner).distinct().count()).as("only the killed worker left jobs RUNNING")
                    .isLessThanOrEqualTo(1);
        }
    }

    /**
     * Waits until the worker is caught with a job RUNNING. Jobs on this small data last
     * milliseconds, so poll often, and publish more WAL whenever a while passes without catching
     * one (on a fast machine the first burst of work can finish between two polls).
     */
    private static void awaitJobRunning(ItEnv env, WalStream wal) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long nextBurst = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int burst = 0;
        while (!jobRunning(env)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting for the first worker in the middle of a job");
            }
            if (System.nanoTime() > nextBurst) {
                wal.publish(env.broker, env.topic, env.partitions, T, WalGen.builder().seed(100 + burst++).relations(4)
                        .pagesPerRelation(128).imageRatio(0.3).startLsn(wal.maxLsn.get(T) + 1000).records(3000).build());
                nextBurst = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            }
            Thread.sleep(20);
        }
    }

    private static boolean onlyRegisteredFiles(ItEnv env) {
        try (Stream<Path> files = Files.list(env.segmentDir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            return names.stream().allMatch(n -> !n.startsWith(".") && env.catalog.segments().segment(n).isPresent());
        } catch (IOException e) {
            return false;
        }
    }
}
