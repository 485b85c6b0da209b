package io.storageengine.pageservice.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.ItResources;
import io.storageengine.pageservice.ReadPath;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.StorePageReader;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.KafkaTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The page streams application against a real broker: frames published as the spec says, read back
 * through the reader and compared with the reference model built from the same frames.
 */
class PageStreamsAppIT {
    private static final TimelineKey T = TimelineKey.of("5eed5eed5eed5eed5eed5eed5eed5eed", "0000000000000000000000000000abcd");
    private static final int PARTITIONS = 4;
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();

    private final ItResources resources = new ItResources();
    private final Map<PageStreamsApp, PageReader> appReaders = new IdentityHashMap<>();

    @AfterEach
    void cleanUp() throws Exception {
        resources.close();
    }

    private PageStreamsApp start(String topic, String appId, int port, int standbys) throws Exception {
        Path dir = resources.tempDir("page-streams-it");
        StreamsSettings s = StreamsSettings.defaults(BROKER.bootstrapServers(), dir, "127.0.0.1:" + port)
                .withApplicationId(appId).withWalTopic(topic).withRocksDbMemoryBytes(64L << 20)
                .withStandbyReplicas(standbys);
        PageStreamsApp app = PageStreamsApp.start(s);
        resources.add(app);
        appReaders.put(app, ReadPath.of(app, ColdPageSource.none(), Duration.ofSeconds(10), 256,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        return app;
    }

    /** The read path over an app started here (hot stores only). */
    private PageReader reader(PageStreamsApp app) {
        return appReaders.get(app);
    }

    private static PageRequest at(PageKey key, Long lsn) {
        return new PageRequest(key.timeline(), key.page(), lsn == null ? null : new Lsn(lsn), null,
                StorePageReader.NO_DEADLINE);
    }

    private static void awaitWatermark(List<PageStreamsApp> apps, long lsn, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<Integer> done = new HashSet<>();
            for (PageStreamsApp app : apps) {
                for (int p : app.watermarks().activePartitions()) {
                    PartitionMarks.Mark m = app.watermarks().partition(p).mark(T);
                    if (m != null && m.lsn() >= lsn) {
                        done.add(p);
                    }
                }
            }
            if (done.size() == PARTITIONS) {
                return;
            }
            assertThat(System.nanoTime()).as("watermark %s applied on every partition", lsn).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void assertMatches(PageVersion v, ReferenceModel.Expected e, long requestLsn) {
        assertThat(v.page()).isEqualTo(e.page());
        assertThat(v.pageLsn().value()).isEqualTo(e.pageLsn());
        assertThat(v.requestLsn().value()).isEqualTo(requestLsn);
    }

    @Test
    void pagesReadBackAtManyLsnsEqualTheReferenceModel() throws Exception {
        String topic = BROKER.createUniqueTopic("wal", PARTITIONS);
        SyntheticWal wal = new SyntheticWal(7, 1_000_000);
        wal.randomRun(T, 200, 4_000, 0.1, 100);
        // a page whose history ends with a PostgreSQL record the redo engine cannot replay onto a
        // page (resource manager Transaction): 501-class, never a page
        PageKey pgPage = SyntheticWal.page(T, 900, 1);
        long imageLsn = wal.nextLsn(10);
        wal.image(pgPage, imageLsn);
        long pgLsn = wal.nextLsn(10);
        wal.pgRecord(pgPage, pgLsn, 0, 1, 0x20);
        long end = wal.lsn() + 10;
        wal.watermark(T, end);
        try (WalTestProducer producer = new WalTestProducer(BROKER, topic, PARTITIONS)) {
            producer.publish(wal.events());
            producer.flush();
        }
        PageStreamsApp app = start(topic, BROKER.uniqueTopic("page-service"), 18101, 0);
        assertThat(app.awaitReady(Duration.ofSeconds(60))).isTrue();
        awaitWatermark(List.of(app), end, Duration.ofSeconds(60));
        assertThat(app.counters().skipped()).isZero();

        assertMatches(reader(app).read(at(pgPage, pgLsn - 1)), wal.model().pageAt(pgPage, imageLsn), pgLsn - 1);
        assertThatThrownBy(() -> reader(app).read(at(pgPage, end)))
                .isInstanceOfSatisfying(PageReadException.RedoUnsupported.class, e -> {
                    assertThat(e.lsn()).isEqualTo(new Lsn(pgLsn));
                    assertThat(e.rmgrId()).isEqualTo(1);
                    assertThat(e.info()).isEqualTo(0x20);
                });

        ReferenceModel model = wal.model();
        List<PageKey> pages = model.pageKeys().stream().filter(k -> !k.equals(pgPage)).toList();
        int reads = 0;
        for (PageKey key : pages.subList(0, 60)) {
            assertThat(app.ownership().ownerOf(key)).isInstanceOf(Ownership.Local.class);
            List<ReferenceModel.Rec> recs = model.records(key);
            for (ReferenceModel.Rec r : recs) {
                for (long lsn : new long[] {r.lsn(), r.lsn() + 1}) {
                    assertMatches(reader(app).read(at(key, lsn)), model.pageAt(key, lsn), lsn);
                    reads++;
                }
            }
            assertThatThrownBy(() -> reader(app).read(at(key, recs.get(0).lsn() - 1)))
                    .isInstanceOf(PageReadException.PageNotFound.class);
            assertMatches(reader(app).read(at(key, null)), model.pageAt(key, end), end);
        }
        assertThat(reads).isGreaterThan(1_000);
        assertThat(reader(app).status(T).lastAppliedLsn()).isEqualTo(new Lsn(end));
        assertThat(app.ownership().partitions()).hasSize(PARTITIONS)
                .allSatisfy(p -> assertThat(p.appliedLsn()).isEqualTo(end));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!app.ownership().partitions().stream().allMatch(p -> p.lag() == 0)) {
            assertThat(System.nanoTime()).as("every active partition's lag measured and 0: %s",
                    app.ownership().partitions()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The versions changelog's topic configuration (what bounds a restore), as the broker reports it. */
    private static Map<String, String> changelogConfig(String appId) throws Exception {
        String topic = PageTopology.changelogTopic(appId, PageTopology.PAGE_VERSIONS_STORE);
        org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        Map<String, String> out = new java.util.HashMap<>();
        BROKER.admin().describeConfigs(List.of(r)).all().get(30, java.util.concurrent.TimeUnit.SECONDS).get(r).entries()
                .forEach(e -> out.put(e.name(), e.value()));
        return out;
    }

    @Test
    void theVersionsChangelogIsCompactedInSmallSegmentsNewOrExisting() throws Exception {
        String topic = BROKER.createUniqueTopic("wal", PARTITIONS);
        // an existing deployment: its changelog was created with the broker's defaults
        String existingApp = BROKER.uniqueTopic("page-service");
        BROKER.createTopic(PageTopology.changelogTopic(existingApp, PageTopology.PAGE_VERSIONS_STORE), PARTITIONS,
                Map.of("cleanup.policy", "compact"));
        assertThat(changelogConfig(existingApp)).doesNotContainEntry("segment.ms", "60000");
        PageStreamsApp.tuneVersionsChangelog(StreamsSettings.defaults(BROKER.bootstrapServers(),
                resources.tempDir("tune"), "127.0.0.1:18109").withApplicationId(existingApp).withWalTopic(topic));
        assertThat(changelogConfig(existingApp)).containsAllEntriesOf(PageTopology.VERSIONS_CHANGELOG_CONFIG)
                .containsEntry("cleanup.policy", "compact");
        // a new deployment: Kafka Streams creates it with the configuration
        String newApp = BROKER.uniqueTopic("page-service");
        PageStreamsApp app = start(topic, newApp, 18108, 0);
        assertThat(app.awaitReady(Duration.ofSeconds(60))).isTrue();
        assertThat(changelogConfig(newApp)).containsAllEntriesOf(PageTopology.VERSIONS_CHANGELOG_CONFIG)
                .containsEntry("cleanup.policy", "compact");
    }

    @Test
    void aThousandConcurrentReadersWhileIngestContinuesNeverSeeAWrongPage() throws Exception {
        String topic = BROKER.createUniqueTopic("wal", PARTITIONS);
        SyntheticWal wal = new SyntheticWal(11, 5_000_000);
        List<List<SyntheticWal.Event>> batches = new ArrayList<>();
        List<Long> batchEnds = new ArrayList<>();
        for (int b = 0; b < 40; b++) {
            wal.randomRun(T, 100, 150, 0.15, 50);
            wal.watermark(T, wal.lsn());
            batchEnds.add(wal.lsn());
            batches.add(List.copyOf(wal.drain()));
        }
        ReferenceModel model = wal.model();
        List<PageKey> pages = model.pageKeys();
        AtomicLong published = new AtomicLong();
        long finalLsn = batchEnds.get(batchEnds.size() - 1);
        try (WalTestProducer producer = new WalTestProducer(BROKER, topic, PARTITIONS)) {
            producer.publish(batches.get(0));
            producer.flush();
            published.set(batchEnds.get(0));
            PageStreamsApp app = start(topic, BROKER.uniqueTopic("page-service"), 18102, 0);
            assertThat(app.awaitReady(Duration.ofSeconds(60))).isTrue();
            awaitWatermark(List.of(app), batchEnds.get(0), Duration.ofSeconds(60));

            AtomicReference<Throwable> ingestFailure = new AtomicReference<>();
            Thread ingest = Thread.ofPlatform().name("it-ingest").start(() -> {
                try {
                    for (int b = 1; b < batches.size(); b++) {
                        producer.publish(batches.get(b));
                        producer.flush();
                        published.set(batchEnds.get(b));
                        Thread.sleep(50);
                    }
                } catch (Throwable t) {
                    ingestFailure.set(t);
                }
            });
            AtomicLong reads = new AtomicLong();
            AtomicLong waitedAhead = new AtomicLong();
            List<Future<?>> readers = new ArrayList<>();
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 1_000; i++) {
                    long seed = i;
                    readers.add(vts.submit(() -> {
                        Random r = new Random(seed);
                        for (int k = 0; k < 15; k++) {
                            PageKey key = pages.get(r.nextInt(pages.size()));
                            long upTo = published.get();
                            // mostly at or below what is published; sometimes a little ahead (the read waits)
                            // never beyond the last batch: once ingest has ended, WAL past it never arrives
                            long lsn = Math.min(finalLsn, 5_000_000 + (long) (r.nextDouble() * (upTo - 5_000_000 + 2_000)));
                            if (lsn > upTo) {
                                waitedAhead.incrementAndGet();
                            }
                            ReferenceModel.Expected e = model.pageAt(key, lsn);
                            if (e.page() == null) {
                                assertThatThrownBy(() -> reader(app).read(at(key, lsn)))
                                        .isInstanceOf(PageReadException.PageNotFound.class);
                            } else {
                                assertMatches(reader(app).read(at(key, lsn)), e, lsn);
                            }
                            reads.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : readers) {
                    f.get();
                }
            }
            ingest.join();
            assertThat(ingestFailure.get()).isNull();
            assertThat(reads.get()).isEqualTo(15_000);
            assertThat(waitedAhead.get()).isPositive();
        }
    }

    @Test
    void twoInstancesShareThePartitionsAndEachPageIsReadableThroughItsOwner() throws Exception {
        String topic = BROKER.createUniqueTopic("wal", PARTITIONS);
        SyntheticWal wal = new SyntheticWal(13, 9_000_000);
        wal.randomRun(T, 120, 2_000, 0.1, 100);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        try (WalTestProducer producer = new WalTestProducer(BROKER, topic, PARTITIONS)) {
            producer.publish(wal.events());
            producer.flush();
        }
        String appId = BROKER.uniqueTopic("page-service");
        PageStreamsApp a = start(topic, appId, 18111, 1);
        PageStreamsApp b = start(topic, appId, 18112, 1);
        List<PageStreamsApp> apps = List.of(a, b);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!(a.ready() && b.ready() && a.watermarks().activePartitions().length > 0
                && b.watermarks().activePartitions().length > 0
                && a.watermarks().activePartitions().length + b.watermarks().activePartitions().length == PARTITIONS)) {
            assertThat(System.nanoTime()).as("both instances ready and sharing the partitions").isLessThan(deadline);
            Thread.sleep(100);
        }
        awaitWatermark(apps, end, Duration.ofSeconds(60));

        ReferenceModel model = wal.model();
        Thread.sleep(2_500); // let the standby lags be measured once
        int standbyReads = 0;
        for (PageKey key : model.pageKeys()) {
            Ownership.Owner oa = awaitStable(a, key);
            Ownership.Owner ob = awaitStable(b, key);
            PageStreamsApp owner;
            if (oa instanceof Ownership.Local la && la.role() == PartitionMarks.Role.ACTIVE) {
                assertThat(ob).isIn(new Ownership.Remote(la.partition(), "127.0.0.1", 18111),
                        new Ownership.Local(la.partition(), PartitionMarks.Role.STANDBY));
                owner = a;
            } else {
                assertThat(ob).isEqualTo(new Ownership.Local(oa.partition(), PartitionMarks.Role.ACTIVE));
                assertThat(oa).isIn(new Ownership.Remote(ob.partition(), "127.0.0.1", 18112),
                        new Ownership.Local(ob.partition(), PartitionMarks.Role.STANDBY));
                owner = b;
            }
            long mid = model.records(key).get(model.records(key).size() / 2).lsn();
            assertMatches(reader(owner).read(at(key, mid)), model.pageAt(key, mid), mid);
            assertMatches(reader(owner).read(at(key, end)), model.pageAt(key, end), end);
            PageStreamsApp other = owner == a ? b : a;
            if (other.ownership().ownerOf(key) instanceof Ownership.Local l && l.role() == PartitionMarks.Role.STANDBY) {
                assertMatches(reader(other).read(at(key, mid)), model.pageAt(key, mid), mid);
                assertMatches(reader(other).read(at(key, end)), model.pageAt(key, end), end);
                standbyReads++;
            }
        }
        assertThat(standbyReads).as("standby replicas within the lag bound serve reads").isPositive();

        // one instance leaves: the other takes every partition over, restored from the changelogs
        resources.remove(b);
        b.close();
        deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!(a.ready() && a.watermarks().activePartitions().length == PARTITIONS)) {
            assertThat(System.nanoTime()).as("the survivor owns every partition").isLessThan(deadline);
            Thread.sleep(100);
        }
        for (PageKey key : model.pageKeys()) {
            assertMatches(reader(a).read(at(key, end)), model.pageAt(key, end), end);
        }
    }

    private static Ownership.Owner awaitStable(PageStreamsApp app, PageKey key) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Ownership.Owner o = app.ownership().ownerOf(key);
        while (o instanceof Ownership.Unavailable && System.nanoTime() < deadline) {
            Thread.sleep(100);
            o = app.ownership().ownerOf(key);
        }
        return o;
    }
}
