package io.storageengine.compactor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.testsupport.AdminEndpoint;
import io.storageengine.testsupport.FaultTable;
import io.storageengine.testsupport.PrometheusProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full segment directory (no space left) under continuous WAL, by failpoint: a compactor worker
 * process ({@code Main run}, its own JVM) compacts while this test publishes a walgen burst about
 * every second and reads pages back through the cold tier (every active segment, as a page service
 * would) against the reference model. Then {@code PUT /failpoints segment-write=error(No space left
 * on device)} on its admin port for 20 s, then {@code segment-write=off}.
 *
 * <p>Checked: during the fault no segment is registered (after a 2 s grace for writes that had
 * finished when the fault began), no segment file the catalog does not know becomes visible in the
 * directory, and no partition's committed offset passes a page record that no registered segment
 * holds (the WAL between the newest segment's end and the committed offset is checked record by
 * record in the topic); every read through the segments equals the model; after healing, compaction
 * resumes by itself, catches up and settles, every published record is in exactly one active DELTA
 * segment (nothing acknowledged lost or doubled), pages match the model, and nothing but registered
 * segment files is left in the directory. A private Prometheus ({@link PrometheusProcess},
 * monitoring/alerts.yml, job {@code compactor}) must show SegmentWriteFailures firing during the
 * fault. Printed: the time from healing to the first new segment, failed cuts and jobs, failpoint
 * hits, the alerts from the fault's start until the first new segment; one {@code FAULT-TABLE} row
 * for {@code ./se chaos}.
 */
class SegmentDirFullIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration FAULT = Duration.ofSeconds(20);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final TimelineKey T = new TimelineKey(new TenantId(31, 1), new TimelineId(32, 1));

    @TempDir
    Path dir;




    /** What the test saw of the cold tier: reads checked against the model. */
    private static final class Reads {
        int ok;
        int wrong;
        int skippedRounds;
        final List<String> firstWrong = new ArrayList<>();
    }

    /**
     * One consistent listing of the active segments, and random pages read through all of them at
     * LSNs every record of which a segment holds (at most the newest LSN in a segment of the page's
     * partition: records of a partition arrive in LSN order and segments cover a prefix of it).
     */
    private static void checkReads(ItEnv env, WalStream wal, Random rnd, int samples, Reads out) {
        List<CatalogSegment> active = env.catalog.segments().active();
        Map<Integer, Long> durable = new HashMap<>();
        for (CatalogSegment s : active) {
            durable.merge(s.meta().partition(), s.meta().maxLsn(), (a, b) -> Lsn.isAfter(a, b) ? a : b);
        }
        if (durable.isEmpty()) {
            return;
        }
        List<SegmentReader> readers = new ArrayList<>();
        try {
            for (CatalogSegment s : active) {
                readers.add(env.store.open(s.name()));
            }
            List<byte[]> keys = new ArrayList<>(wal.reference.keySet());
            for (int i = 0; i < samples; i++) {
                byte[] k = keys.get(rnd.nextInt(keys.size()));
                byte[] page = VersionKey.pageKeyOf(k);
                Long upTo = durable.get(Partitioning.partitionOf(page, env.partitions));
                long lsn = VersionKey.lsnOf(k);
                if (upTo == null || Lsn.isAfter(lsn, upTo)) {
                    continue; // not all in segments yet
                }
                if (rnd.nextBoolean()) {
                    lsn = upTo; // the newest the segments can answer
                }
                byte[] got = SegmentCheck.read(readers, page, lsn);
                byte[] want = SegmentCheck.reference(wal.reference, page, lsn);
                if (Arrays.equals(got, want)) {
                    out.ok++;
                } else {
                    out.wrong++;
                    if (out.firstWrong.size() < 5) {
                        out.firstWrong.add(PageKey.fromBytes(page) + " at " + Lsn.format(lsn));
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            out.skippedRounds++; // a segment retired and deleted between the listing and the open: next round
        } finally {
            readers.forEach(SegmentReader::close);
        }
    }

    private static long maxSegmentId(ItEnv env) {
        long max = 0;
        for (CatalogSegment s : env.catalog.segments().active()) {
            max = Math.max(max, s.id());
        }
        for (CatalogSegment s : env.catalog.segments().retiredBefore(Instant.now().plus(Duration.ofDays(1)))) {
            max = Math.max(max, s.id());
        }
        return max;
    }

    private static Map<Integer, Long> committed(ItEnv env) {
        Map<Integer, Long> m = new TreeMap<>();
        for (int p = 0; p < env.partitions; p++) {
            OptionalLong o = env.catalog.offsets().committed(new OffsetKey("compactor", env.topic, p));
            m.put(p, o.orElse(0));
        }
        return m;
    }

    /** Visible (not hidden) files of the segment directory the catalog does not know. */
    private static List<String> unregisteredFiles(ItEnv env) throws IOException {
        if (!Files.isDirectory(env.segmentDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(env.segmentDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .filter(n -> env.catalog.segments().segment(n).isEmpty()).toList();
        }
    }

    /** Page records (49-byte keys: this test publishes no bad frames) of partition {@code p} in offsets [from, to). */
    private static long pageRecordsBetween(ItEnv env, int p, long from, long to) {
        if (from >= to) {
            return 0;
        }
        Map<String, Object> cfg = env.broker.consumerConfig("dirfull-check-" + p + "-" + System.nanoTime());
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cfg)) {
            TopicPartition tp = new TopicPartition(env.topic, p);
            c.assign(List.of(tp));
            c.seek(tp, from);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < to && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
                    if (r.offset() < to && r.key().length == PageKey.SIZE) {
                        n++;
                    }
                }
            }
            assertThat(c.position(tp)).as("partition %s read up to %s", p, to).isGreaterThanOrEqualTo(to);
        }
        return n;
    }

    /** Offsets covered by registered segments per partition: the largest offset end. */
    private static Map<Integer, Long> covered(ItEnv env) {
        Map<Integer, Long> m = new TreeMap<>();
        for (CatalogSegment s : env.catalog.segments().active()) {
            m.merge(s.meta().partition(), s.meta().offsetEnd(), Math::max);
        }
        return m;
    }

    @Test
    void aFullSegmentDirectoryLosesNothingAndCompactionResumesWhenItHasSpaceAgain() throws Exception {
        try (ItEnv env = new ItEnv(dir, 3); PrometheusProcess prometheus = PrometheusProcess.start("segment-dir-full")) {
            int adminPort = env.adminPortWatchedBy(prometheus); // one port for every worker: one Prometheus target
            String adminTarget = "127.0.0.1:" + adminPort;
            WalStream wal = new WalStream();
            Random rnd = new Random(5);
            Reads reads = new Reads();
            int[] burst = {0};
            Runnable publish = () -> wal.publish(env.broker, env.topic, env.partitions, T, WalGen.builder()
                    .seed(300 + burst[0]).relations(4).pagesPerRelation(64).imageRatio(0.2)
                    .startLsn(burst[0]++ == 0 ? 0x0100_0000L : wal.maxLsn.get(T) + 1000).records(400).build());

            Process worker = env.spawnWorker("dirfull-worker");
            try {
                ItEnv.await(TIMEOUT, () -> {
                    try {
                        return AdminEndpoint.call(adminPort, "GET", "/health", null).statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                }, "compactor admin /health 200");
                prometheus.awaitScraped("compactor", adminTarget, TIMEOUT);

                // Before: WAL arrives, L0s are cut, merges run.
                long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()
                        || SegmentCheck.count(env.catalog, io.storageengine.schemas.segment.SegmentKind.DELTA, 1) == 0) {
                    assertThat(worker.isAlive()).as("worker alive (target/it-dirfull-worker.log)").isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("an L1 segment before the fault").isLessThan(TIMEOUT);
                    publish.run();
                    checkReads(env, wal, rnd, 10, reads);
                    Thread.sleep(500);
                }
                int okBefore = reads.ok;

                // The fault: the segment directory is full for 20 s while WAL keeps arriving.
                HttpResponse<String> on = AdminEndpoint.call(adminPort, "PUT", "/failpoints", "segment-write=error(No space left on device)");
                assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
                Instant faultStartWall = Instant.now();
                long faultStart = System.nanoTime();
                long windowStartId = -1;
                Map<Integer, Long> windowStartOffsets = null;
                List<String> visibleUnregistered = new ArrayList<>();
                int samples = 0;
                while (System.nanoTime() - faultStart < FAULT.toNanos()) {
                    assertThat(worker.isAlive()).as("worker alive (target/it-dirfull-worker.log)").isTrue();
                    publish.run();
                    checkReads(env, wal, rnd, 10, reads);
                    if (windowStartId < 0 && System.nanoTime() - faultStart >= GRACE.toNanos()) {
                        windowStartId = maxSegmentId(env); // writes that had finished before the fault are registered by now
                        windowStartOffsets = committed(env);
                    }
                    if (windowStartId >= 0) {
                        for (String f : unregisteredFiles(env)) {
                            if (!visibleUnregistered.contains(f)) {
                                visibleUnregistered.add(f);
                            }
                        }
                        samples++;
                    }
                    Thread.sleep(300);
                }
                long faultEndId = maxSegmentId(env);
                Map<Integer, Long> faultEndOffsets = committed(env);
                Map<Integer, Long> coveredAtEnd = covered(env);
                String scrapeDuring = AdminEndpoint.call(adminPort, "GET", "/metrics", null).body();
                HttpResponse<String> off = AdminEndpoint.call(adminPort, "PUT", "/failpoints", "segment-write=off");
                assertThat(off.statusCode()).isEqualTo(200);
                Instant healWall = Instant.now();
                long heal = System.nanoTime();
                int okDuring = reads.ok - okBefore;

                // Offsets never passed unwritten page records: between the newest segment's end and the
                // committed offset there are only watermarks and transaction markers.
                Map<Integer, Long> pastSegments = new TreeMap<>();
                for (int p = 0; p < env.partitions; p++) {
                    long cov = coveredAtEnd.getOrDefault(p, 0L);
                    pastSegments.put(p, pageRecordsBetween(env, p, cov, faultEndOffsets.get(p)));
                }

                // After: compaction resumes by itself.
                long firstNewSegment = -1;
                Instant firstNewSegmentWall = null;
                long stopPublishing = Long.MAX_VALUE;
                while (System.nanoTime() < stopPublishing) {
                    assertThat(worker.isAlive()).as("worker alive (target/it-dirfull-worker.log)").isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - heal)).as("a new segment after healing")
                            .isLessThan(TIMEOUT);
                    publish.run();
                    checkReads(env, wal, rnd, 10, reads);
                    if (firstNewSegment < 0 && maxSegmentId(env) > faultEndId) {
                        firstNewSegment = System.nanoTime();
                        firstNewSegmentWall = Instant.now();
                        stopPublishing = firstNewSegment + Duration.ofSeconds(3).toNanos();
                    }
                    Thread.sleep(300);
                }
                env.awaitCaughtUpAndSettled(TIMEOUT);
                long settled = System.nanoTime();
                checkReads(env, wal, rnd, 200, reads);

                Map<byte[], Integer> counts = SegmentCheck.deltaRecordCounts(env.catalog, env.store);
                long lost = wal.reference.keySet().stream().filter(k -> !counts.containsKey(k)).count();
                long doubled = counts.values().stream().filter(n -> n != 1).count();
                String scrape = AdminEndpoint.call(adminPort, "GET", "/metrics", null).body();
                double writeFailures = AdminEndpoint.metric(scrape, "compactor_segment_write_failures_total");
                double hits = AdminEndpoint.metric(scrape, "se_failpoint_hits_total{name=\"segment-write\"}");
                double l0Failed = AdminEndpoint.metric(scrapeDuring, "compactor_job_failures_total{kind=\"l0\",outcome=\"failed\"}");
                String failpoints = AdminEndpoint.call(adminPort, "GET", "/failpoints", null).body();
                // From the fault's start until the first segment after healing (+ PrometheusProcess.SETTLE).
                String alerts = prometheus.alertsDuring(faultStartWall, firstNewSegmentWall);
                boolean writeAlertFired = prometheus.alertsSeen(faultStartWall, healWall.plus(PrometheusProcess.SETTLE)).stream()
                        .anyMatch(a -> a.name().equals("SegmentWriteFailures") && a.fired()
                                && !a.activeAt().isBefore(faultStartWall));
                ItEnv.await(TIMEOUT, () -> {
                    try {
                        return unregisteredFiles(env).isEmpty() && hiddenFiles(env).isEmpty();
                    } catch (IOException e) {
                        return false;
                    }
                }, "only registered segment files left (orphans swept)");

                double toFirst = (firstNewSegment - heal) / 1e9;
                System.out.printf("SegmentDirFullIT: %d bursts, %d records published; segment-write failed for %d s: "
                                + "%.0f failpoint hits, %.0f cuts/jobs failed writing (%.0f L0 cuts failed during the fault); "
                                + "segments registered during the fault after %s grace: %d; unregistered files visible: %s "
                                + "(%d samples); offsets at fault start %s, at its end %s, segments covered %s, page records "
                                + "past the segments below the committed offset: %s; reads: %d correct (%d during the fault), "
                                + "%d wrong %s, %d rounds skipped; first segment %.1f s after healing, caught up and settled "
                                + "%.1f s after healing; records lost %d, doubled %d; failpoints now %s; alerts %s%n",
                        burst[0], wal.reference.size(), FAULT.toSeconds(), hits, writeFailures, l0Failed, GRACE,
                        faultEndId - windowStartId, visibleUnregistered, samples, windowStartOffsets, faultEndOffsets,
                        coveredAtEnd, pastSegments, reads.ok, okDuring, reads.wrong, reads.firstWrong, reads.skippedRounds,
                        toFirst, (settled - heal) / 1e9, lost, doubled, failpoints, alerts);
                // A row of ./se chaos's table
                FaultTable.row("segment dir full 20 s (segment-write=error(No space left on device))",
                        Long.toString(lost), Integer.toString(reads.wrong),
                        String.format("- (no page API: %.0f cuts/jobs failed writing, %d segments registered, %d reads "
                                + "through segments correct during)", writeFailures, faultEndId - windowStartId, okDuring),
                        String.format("first segment %.1f s after healing; caught up and settled %.1f s after", toFirst,
                                (settled - heal) / 1e9), alerts);

                assertThat(hits).as("the failpoint acted").isPositive();
                assertThat(writeFailures).as("failed segment writes counted").isPositive();
                assertThat(faultEndId).as("segments registered during the fault (after the grace)").isEqualTo(windowStartId);
                assertThat(visibleUnregistered).as("segment files visible during the fault that the catalog does not know").isEmpty();
                assertThat(pastSegments.values()).as("committed offsets past page records no segment holds").allMatch(n -> n == 0);
                assertThat(reads.wrong).as("pages read through segments differing from the model: %s", reads.firstWrong).isZero();
                assertThat(okDuring).as("reads through segments during the fault").isPositive();
                assertThat(lost).as("published records in no active segment").isZero();
                assertThat(doubled).as("records in more than one active segment").isZero();
                SegmentCheck.assertExactlyOnce(env.catalog, env.store, wal);
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, 0, 1000, 17);
                assertThat(failpoints).contains("\"segment-write\":{\"action\":\"off\"");
                assertThat(writeAlertFired).as("SegmentWriteFailures firing during the fault (alerts: %s)", alerts).isTrue();
            } finally {
                worker.destroy(); // SIGTERM: graceful stop
                if (!worker.waitFor(40, TimeUnit.SECONDS)) {
                    worker.destroyForcibly();
                }
            }
        }
    }

    private static List<String> hiddenFiles(ItEnv env) throws IOException {
        try (Stream<Path> files = Files.list(env.segmentDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }
}
