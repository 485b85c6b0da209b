package io.storageengine.pageservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.pageservice.cold.ColdTestData;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.testsupport.AdminEndpoint;
import io.storageengine.testsupport.FaultTable;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PrometheusProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow disk under the cold tier, by failpoint, under continuous ingest and continuous checked
 * cold reads. A page service ({@link Main} in its own JVM, cold tier on a private catalog database,
 * block cache off so every cold read reads its segment blocks from the files) applies WAL that this
 * test sends paced over about 50 s; a cutter in this JVM plays the compactor (every 2 s it writes
 * each partition's new records as an L0 segment and registers it with its offsets), and the page
 * service trims its hot store to what the segments hold. Two readers ask random pages at LSNs
 * that segments settled for a while hold (so most reads need the segments) and compare every 200
 * with the reference model. Then {@code PUT /failpoints segment-read=sleep(300)} on the page
 * service's admin port for 20 s (every segment block read takes 300 ms, three times the 100 ms
 * read deadline), then {@code segment-read=off}.
 *
 * <p>Asserted: no wrong page at any time; reads that need the disk during the fault answer 503
 * {@code deadline-exceeded} problems (bounded: no read goes unanswered within the client's 5 s);
 * the failpoint acted and was counted; after switching it off, a read that had failed is served
 * correctly again; nothing acknowledged is lost (the topic holds every record sent, every page at
 * the final LSN equals the model). Printed: answers by status and problem per phase, latencies,
 * the time from switching off to the first correct answer of a read that had failed, how far WAL
 * apply fell behind ingest, and the alerts of monitoring/alerts.yml a private Prometheus
 * ({@link PrometheusProcess}, job {@code page-service}) showed pending or firing from the fault's
 * start until reads were fast again; one {@code FAULT-TABLE} row for {@code ./se chaos}.
 */
class SlowSegmentDiskIT {
    private static final TimelineKey T = TimelineKey.of("5105d15c5105d15c5105d15c5105d15c", "000000000000000000000000005105d1");
    private static final int PARTITIONS = 2;
    private static final Duration FAULT = Duration.ofSeconds(20);
    private static final Duration LIVENESS = Duration.ofSeconds(120);
    private static final int SLEEP_MS = 300;
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();

    private final ItResources resources = new ItResources();

    @AfterEach
    void cleanUp() throws Exception {
        resources.close();
    }

    /** Answers of one phase. */
    private static final class Phase {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger wrong = new AtomicInteger();
        final AtomicInteger serverErrors = new AtomicInteger();
        final AtomicInteger noAnswer = new AtomicInteger();
        final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>(); // "200", "503 deadline-exceeded", ...
        final List<Long> okMillis = Collections.synchronizedList(new ArrayList<>());
        final List<Long> errorMillis = Collections.synchronizedList(new ArrayList<>());

        static String percentiles(List<Long> l) {
            List<Long> s;
            synchronized (l) {
                s = new ArrayList<>(l);
            }
            if (s.isEmpty()) {
                return "-";
            }
            Collections.sort(s);
            return "p50 " + s.get(s.size() / 2) + " ms, p99 " + s.get(Math.min(s.size() - 1, s.size() * 99 / 100))
                    + " ms, max " + s.getLast() + " ms";
        }

        @Override
        public String toString() {
            return byKind + "; 200 " + percentiles(okMillis) + "; 5xx " + percentiles(errorMillis);
        }
    }

    /** The compactor's part, in this JVM: L0 segments of each partition's new records, registered with their offsets. */
    private static final class Cutter {
        final Catalog catalog;
        final DirectorySegmentStore store;
        final String topic;
        final long[] next = new long[PARTITIONS];
        final Lease[] leases = new Lease[PARTITIONS];
        /** Per partition: registration time (nanos) → newest page LSN in segments then. */
        final List<NavigableMap<Long, Long>> durable = new ArrayList<>();
        final KafkaConsumer<byte[], byte[]> consumer;
        int segments;

        Cutter(Catalog catalog, DirectorySegmentStore store, String topic) {
            this.catalog = catalog;
            this.store = store;
            this.topic = topic;
            for (int p = 0; p < PARTITIONS; p++) {
                leases[p] = catalog.leases().acquire(p, "slow-disk-it", Duration.ofMinutes(10)).orElseThrow();
                durable.add(new ConcurrentSkipListMap<>());
            }
            consumer = new KafkaConsumer<>(BROKER.consumerConfig("slow-disk-cutter-" + topic));
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        void cutOnce() throws Exception {
            Map<Integer, List<SyntheticWal.Event>> pages = new HashMap<>();
            Map<Integer, Long> ends = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                ends.put(p, consumer.endOffsets(List.of(tp)).get(tp));
                pages.put(p, new ArrayList<>());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                boolean done = true;
                for (int p = 0; p < PARTITIONS; p++) {
                    done &= consumer.position(new TopicPartition(topic, p)) >= ends.get(p);
                }
                if (done) {
                    break;
                }
                assertThat(System.nanoTime()).as("cutter read to the end offsets").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() < ends.get(r.partition()) && r.key().length == PageKey.SIZE) {
                        pages.get(r.partition()).add(new SyntheticWal.Event(r.key(), r.value(), 0));
                    }
                }
            }
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                long end = ends.get(p);
                if (consumer.position(tp) > end) {
                    consumer.seek(tp, end); // fetched beyond the snapshot: those records go into the next cut
                }
                if (pages.get(p).isEmpty() || end <= next[p]) {
                    continue;
                }
                NavigableMap<byte[], byte[]> versions = ColdTestData.versionsOf(pages.get(p), 0, 0);
                SegmentMeta meta = ColdTestData.writeSegment(store, SegmentKind.DELTA, 0, p, versions, next[p], end);
                catalog.segments().registerL0(leases[p], meta, new OffsetKey("compactor", topic, p), end);
                next[p] = end;
                durable.get(p).put(System.nanoTime(), meta.maxLsn());
                segments++;
            }
        }

        /** The newest LSN segments of partition {@code p} held {@code age} ago (0 if none). */
        long durableSince(int p, Duration age) {
            Map.Entry<Long, Long> e = durable.get(p).floorEntry(System.nanoTime() - age.toNanos());
            return e == null ? 0 : e.getValue();
        }
    }



    /**
     * How long ago ingest had acknowledged what the page service has applied now (the lowest applied
     * LSN of its partitions, {@code se_partition_applied_lsn}): how far WAL apply is behind.
     */
    private static double applyDelaySeconds(String scrape, ConcurrentSkipListMap<Long, Long> ackedAt) {
        long applied = Long.MAX_VALUE;
        for (int p = 0; p < PARTITIONS; p++) {
            applied = Math.min(applied, (long) AdminEndpoint.metric(scrape, "se_partition_applied_lsn{partition=\"" + p + "\",role=\"active\"}"));
        }
        Map.Entry<Long, Long> reached = ackedAt.higherEntry(applied); // the first acknowledged LSN beyond what is applied
        return reached == null ? 0 : (System.nanoTime() - reached.getValue()) / 1e9;
    }


    @Test
    void aSlowDiskAnswersDeadlineProblemsNeverWrongPagesAndReadsAreFastOnceItIsGone() throws Exception {
        String topic = BROKER.createUniqueTopic("wal-slow-disk", PARTITIONS);
        BROKER.createTopic(topic + "-relations", 1);
        LocalPostgres pg = LocalPostgres.shared();
        String db = pg.createDatabase("slow_disk");
        CatalogConfig catalogConfig = CatalogConfig.of(pg.jdbcUrl(db), pg.user(), pg.password());
        Catalog catalog = Catalog.open(catalogConfig); // migrates the database
        resources.add(catalog);
        Path segDir = resources.tempDir("slow-disk-segments");
        DirectorySegmentStore store = new DirectorySegmentStore(segDir);

        // The whole WAL up front (a complete, read-only model): 10,000 page records over 120 pages.
        PacedWalIngest.Workload w = PacedWalIngest.Workload.generate(T, 5105, 9_000_000, 120, 10_000, 0.1, 100, PARTITIONS);
        List<SyntheticWal.Event> events = w.events();
        ReferenceModel model = w.model();
        List<PageKey> pages = model.pageKeys();
        long finalLsn = w.finalLsn();
        long expectedRecords = w.expectedRecords();

        int httpPort = ChildPageService.freePort();
        int adminPort = ChildPageService.freePort();
        Map<String, String> env = new HashMap<>(Map.of(
                "SE_HTTP_HOST", "127.0.0.1", "SE_ADMIN_PORT", Integer.toString(adminPort), "SE_ADVERTISED_HOST", "127.0.0.1",
                "SE_KAFKA_BOOTSTRAP", BROKER.bootstrapServers(), "SE_KAFKA_TOPIC", topic,
                "SE_KAFKA_APPLICATION_ID", BROKER.uniqueTopic("page-slow-disk"),
                "SE_STATE_DIR", resources.tempDir("slow-disk-state").toString(), "SE_ROCKSDB_MEMORY_MB", "64",
                "SE_WAIT_TIMEOUT", "1s"));
        env.putAll(Map.of("SE_CATALOG_URL", pg.jdbcUrl(db), "SE_CATALOG_USER", pg.user(), "SE_CATALOG_PASSWORD", pg.password(),
                "SE_SEGMENT_DIR", segDir.toString(), "SE_COLD_ENABLED", "true", "SE_COLD_BLOCK_CACHE_MB", "0",
                "SE_COLD_REFRESH_INTERVAL", "200ms", "SE_COLD_MAX_STALENESS", "1s", "SE_HOT_TRIM_SETTLE_DELAY", "2s",
                "SE_KAFKA_STANDBY_REPLICAS", "0"));
        PrometheusProcess prometheus = PrometheusProcess.start("slow-disk");
        resources.add(prometheus);
        String adminTarget = "127.0.0.1:" + adminPort;
        prometheus.addTarget("page-service", adminTarget);
        ChildPageService page = ChildPageService.start("slow-disk-page", httpPort, env);
        resources.add(page);

        // Ingest: paced over about 50 s, idempotent acks=all; the newest watermark acknowledged on every partition.
        AtomicBoolean stop = new AtomicBoolean();
        PacedWalIngest ingest = new PacedWalIngest("slow-disk-ingest", BROKER.producerConfig(), topic, PARTITIONS, events);
        resources.add(ingest);

        // When each acknowledged LSN was reached, to tell how far WAL apply is behind ingest.
        ConcurrentSkipListMap<Long, Long> ackedAt = new ConcurrentSkipListMap<>(); // acked LSN → first time seen
        Thread ackWatch = Thread.ofPlatform().name("slow-disk-acks").start(() -> {
            while (!stop.get()) {
                ackedAt.putIfAbsent(ingest.ackedLsn(), System.nanoTime());
                if (!PacedWalIngest.sleepNanos(50_000_000L)) {
                    return;
                }
            }
        });

        // The compactor's part: an L0 per partition every 2 s.
        Cutter cutter = new Cutter(catalog, store, topic);
        resources.add(cutter.consumer);
        AtomicReference<Throwable> cutterFailure = new AtomicReference<>();
        Thread cutting = Thread.ofPlatform().name("slow-disk-cutter").start(() -> {
            while (!stop.get()) {
                try {
                    cutter.cutOnce();
                } catch (Throwable t) {
                    cutterFailure.compareAndSet(null, t);
                    return;
                }
                if (!PacedWalIngest.sleepNanos(2_000_000_000L)) {
                    return;
                }
            }
        });

        // Readers: random pages at LSNs that segments settled 3 s ago hold (trimmed from the hot store by then).
        AtomicReference<Phase> phase = new AtomicReference<>(new Phase());
        Phase before = phase.get();
        AtomicBoolean faultOn = new AtomicBoolean();
        List<long[]> failedDuringFault = new CopyOnWriteArrayList<>(); // {page index, lsn}
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Random random = new Random(r);
            readers.add(Thread.ofPlatform().name("slow-disk-reader-" + r).start(() -> {
                while (!stop.get()) {
                    int idx = random.nextInt(pages.size());
                    PageKey key = pages.get(idx);
                    long upTo = cutter.durableSince(Partitioning.partitionOf(key.toBytes(), PARTITIONS), Duration.ofSeconds(3));
                    List<Long> lsns = model.records(key).stream().map(ReferenceModel.Rec::lsn).filter(l -> l <= upTo).toList();
                    if (lsns.isEmpty()) {
                        PacedWalIngest.sleepNanos(20_000_000L);
                        continue;
                    }
                    long lsn = lsns.get(random.nextInt(lsns.size()));
                    long t0 = System.nanoTime();
                    ChildPageService.Answer a = page.read(key, lsn);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    Phase ph = phase.get();
                    if (a.ok()) {
                        ph.byKind.computeIfAbsent("200", k -> new AtomicInteger()).incrementAndGet();
                        ph.okMillis.add(ms);
                        if (Arrays.equals(a.body(), model.pageAt(key, lsn).page())) {
                            ph.ok.incrementAndGet();
                        } else {
                            ph.wrong.incrementAndGet();
                        }
                        continue;
                    }
                    if (a.status() < 0) {
                        ph.noAnswer.incrementAndGet();
                        ph.byKind.computeIfAbsent("no answer", k -> new AtomicInteger()).incrementAndGet();
                        continue;
                    }
                    String kind = a.problemKind();
                    ph.byKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                    if (a.status() >= 500) {
                        ph.serverErrors.incrementAndGet();
                        ph.errorMillis.add(ms);
                        if (faultOn.get() && kind.equals("503 deadline-exceeded") && failedDuringFault.size() < 200) {
                            failedDuringFault.add(new long[] {idx, lsn});
                        }
                    }
                }
            }));
        }

        try {
            // Before: cold reads are served, from files (every one reads blocks: no block cache).
            long deadline = System.nanoTime() + LIVENESS.toNanos();
            double coldBefore = 0;
            double applyDelayBefore = 0;
            while (before.ok.get() < 150 || coldBefore < 100) {
                assertThat(page.alive()).as("page service alive (target/it-slow-disk-page.log)").isTrue();
                assertThat(cutterFailure.get()).as("cutter failure").isNull();
                assertThat(System.nanoTime()).as("cold reads before the fault (now %s, cold lookups %s)", before, coldBefore)
                        .isLessThan(deadline);
                Thread.sleep(500);
                try {
                    String scrape = AdminEndpoint.call(adminPort, "GET", "/metrics", null).body();
                    coldBefore = AdminEndpoint.metric(scrape, "se_cold_lookup_seconds_count");
                    applyDelayBefore = applyDelaySeconds(scrape, ackedAt); // the last sample: just before the fault
                } catch (java.io.IOException e) {
                    coldBefore = 0; // not listening yet
                }
            }

            prometheus.awaitScraped("page-service", adminTarget, LIVENESS);

            // The fault: every segment block read takes 300 ms for 20 s.
            Phase during = new Phase();
            phase.set(during);
            faultOn.set(true);
            HttpResponse<String> on = AdminEndpoint.call(adminPort, "PUT", "/failpoints", "segment-read=sleep(" + SLEEP_MS + ")");
            assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
            long start = System.nanoTime();
            java.time.Instant startWall = java.time.Instant.now();
            String health = AdminEndpoint.call(adminPort, "GET", "/health", null).body();
            double maxApplyDelay = 0; // the trimmer reads segments on the stream thread: a slow disk slows WAL apply too
            String scrapeDuring = "";
            while (System.nanoTime() - start < FAULT.toNanos()) {
                Thread.sleep(1000);
                scrapeDuring = AdminEndpoint.call(adminPort, "GET", "/metrics", null).body();
                maxApplyDelay = Math.max(maxApplyDelay, applyDelaySeconds(scrapeDuring, ackedAt));
            }
            Phase after = new Phase();
            phase.set(after);
            faultOn.set(false);
            HttpResponse<String> off = AdminEndpoint.call(adminPort, "PUT", "/failpoints", "segment-read=off");
            assertThat(off.statusCode()).isEqualTo(200);
            long end = System.nanoTime();

            // Fast again: a read that failed during the fault is served, correctly.
            assertThat(failedDuringFault).as("reads answered 503 deadline-exceeded during the fault (%s)", during).isNotEmpty();
            long fastAgain = -1;
            java.time.Instant fastAgainWall = null;
            long fastMillis = -1;
            deadline = System.nanoTime() + LIVENESS.toNanos();
            for (int i = 0; fastAgain < 0; i = (i + 1) % failedDuringFault.size()) {
                assertThat(System.nanoTime()).as("a failed read served again").isLessThan(deadline);
                long[] f = failedDuringFault.get(i);
                PageKey key = pages.get((int) f[0]);
                long t0 = System.nanoTime();
                ChildPageService.Answer a = page.read(key, f[1]);
                if (a.ok()) {
                    assertThat(a.body()).as("page %s at %s after the fault", key, f[1]).isEqualTo(model.pageAt(key, f[1]).page());
                    fastAgain = System.nanoTime();
                    fastAgainWall = java.time.Instant.now();
                    fastMillis = (fastAgain - t0) / 1_000_000;
                }
            }
            // From the fault's start until reads were fast again (+ PrometheusProcess.SETTLE).
            String alerts = prometheus.alertsDuring(startWall, fastAgainWall);
            Thread.sleep(2_000); // reads keep going after the fault

            assertThat(ingest.await(LIVENESS.toMillis())).as("ingest finished").isTrue();
            stop.set(true);
            for (Thread t : readers) {
                t.join(30_000);
            }
            cutting.join(30_000);
            assertThat(cutterFailure.get()).as("cutter failure").isNull();
            assertThat(ingest.sendFailures()).as("failed sends (first: %s)", ingest.firstFailure()).isZero();

            // Nothing acknowledged lost: the topic holds every record, every page at the final LSN is right.
            long inTopic = 0;
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(BROKER.consumerConfig("slow-disk-count"))) {
                List<TopicPartition> tps = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    tps.add(new TopicPartition(topic, p));
                }
                for (long o : c.endOffsets(tps).values()) {
                    inTopic += o;
                }
            }
            long finalCheck = System.nanoTime();
            int wrongAtEnd = 0;
            for (PageKey key : pages) {
                ChildPageService.Answer a;
                while (!(a = page.read(key, finalLsn)).ok()) {
                    assertThat(System.nanoTime() - finalCheck).as("page %s at the final LSN", key).isLessThan(LIVENESS.toNanos());
                    Thread.sleep(50);
                }
                if (!Arrays.equals(a.body(), model.pageAt(key, finalLsn).page())) {
                    wrongAtEnd++;
                }
            }
            String scrape = AdminEndpoint.call(adminPort, "GET", "/metrics", null).body();
            double hits = AdminEndpoint.metric(scrape, "se_failpoint_hits_total{name=\"segment-read\"}");
            double coldLookups = AdminEndpoint.metric(scrape, "se_cold_lookup_seconds_count");
            double deadlineProblems = AdminEndpoint.metric(scrapeDuring, "se_http_problems_total{route=\"page\",type=\"deadline-exceeded\"}");
            String failpoints = AdminEndpoint.call(adminPort, "GET", "/failpoints", null).body();
            int wrong = before.wrong.get() + during.wrong.get() + after.wrong.get();
            long lost = Math.max(0, expectedRecords - inTopic);
            System.out.printf("SlowSegmentDiskIT: %d WAL records, %d in the topic, %d L0 segments cut; segment-read=sleep(%d) "
                            + "for %d s: %.0f failpoint hits, %.0f cold lookups in all, %.0f deadline-exceeded problems counted, "
                            + "WAL apply behind ingest by %.1f s just before the fault, by up to %.1f s during it; health during: "
                            + "%s%n  before: %s%n  during: %s%n  after:  %s%n  fast again %.2f s after switching off (that read "
                            + "took %d ms); wrong pages at the final LSN: %d of %d; failpoints now %s%n"
                            + "  alerts: %s%n",
                    expectedRecords, inTopic, cutter.segments, SLEEP_MS, FAULT.toSeconds(), hits, coldLookups,
                    deadlineProblems, applyDelayBefore, maxApplyDelay, health, before, during, after, (fastAgain - end) / 1e9,
                    fastMillis, wrongAtEnd, pages.size(), failpoints, alerts);
            FaultTable.row("slow disk 20 s (segment-read=sleep(" + SLEEP_MS + "), deadline 100 ms)", Long.toString(lost),
                    Integer.toString(wrong + wrongAtEnd),
                    during.serverErrors.get() + " 5xx (" + during.byKind + "), " + during.noAnswer.get()
                            + " unanswered; 200s " + Phase.percentiles(during.okMillis) + ", 5xx " + Phase.percentiles(during.errorMillis),
                    String.format("reads fast again %.2f s after switching off (%d 5xx after); WAL apply up to %.1f s "
                            + "behind during", (fastAgain - end) / 1e9, after.serverErrors.get(), maxApplyDelay), alerts);

            assertThat(wrong).as("wrong pages served").isZero();
            assertThat(wrongAtEnd).as("pages at the final LSN differing from the model").isZero();
            assertThat(inTopic).as("records in the wal topic").isEqualTo(expectedRecords);
            assertThat(hits).as("the failpoint acted").isPositive();
            assertThat(health).as("/health names the failpoint while it is on").contains("segment-read=sleep(" + SLEEP_MS + ")");
            assertThat(during.byKind).as("deadline problems during the fault").containsKey("503 deadline-exceeded");
            assertThat(during.noAnswer.get()).as("reads not answered within the client's 5 s during the fault").isZero();
            assertThat(failpoints).contains("\"segment-read\":{\"action\":\"off\"");
            assertThat(before.ok.get()).isPositive();
            assertThat(after.ok.get()).isPositive();
        } finally {
            stop.set(true);
            ingest.close();
            cutting.interrupt();
            cutting.join(30_000); // before its consumer is closed
            ackWatch.interrupt();
            for (Thread t : readers) {
                t.join(30_000);
            }
        }
    }
}
