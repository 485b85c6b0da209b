package io.storageengine.pageservice.cold;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.pageservice.ItResources;
import io.storageengine.pageservice.ReadPath;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.StorePageReader;
import io.storageengine.pageservice.streams.PageStreamsApp;
import io.storageengine.pageservice.streams.StreamsSettings;
import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.trim.HotTrimming;
import io.storageengine.pageservice.topology.trim.TrimSettings;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hot + cold reads on a real broker and a real catalog: frames are published, L0 segments are
 * built from the WAL partitions exactly as the compactor does (SegmentWriter, {@code registerL0}
 * under a lease with the offsets they cover), the page service trims its hot store, and then the
 * L0 segments are merged into L1 ({@code SegmentMap.replace}) and their files deleted. Every sampled
 * page is compared with the reference model at many LSNs before, during and after trimming and
 * after the swap; the hot store must end up holding only the versions no segment holds.
 */
class ColdTierIT {
    private static final TimelineKey T = TimelineKey.of("c01dc01dc01dc01dc01dc01dc01dc01d", "0000000000000000000000000000c01d");
    private static final int PARTITIONS = 2;
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();

    private final ItResources resources = new ItResources();

    @AfterEach
    void cleanUp() throws Exception {
        resources.close();
    }

    private static void publish(String topic, List<SyntheticWal.Event> events) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(BROKER.producerConfig())) {
            for (SyntheticWal.Event e : events) {
                if (e.key().length == TimelineKey.SIZE) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        producer.send(new ProducerRecord<>(topic, p, e.key(), e.value()));
                    }
                } else {
                    producer.send(new ProducerRecord<>(topic, e.key(), e.value()));
                }
            }
            producer.flush();
        }
    }

    /** The raw records of one partition in offsets [0, end). */
    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int partition) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(BROKER.consumerConfig("cold-it-" + topic))) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (c.position(tp) < end) {
                assertThat(System.nanoTime()).as("partition %s read to its end", partition).isLessThan(deadline);
                c.poll(Duration.ofMillis(200)).records(tp).forEach(out::add);
            }
        }
        return out;
    }

    /** Builds an L0 segment of the page records in {@code records} and registers it with the offsets it covers. */
    private static SegmentMeta registerL0(Catalog catalog, Lease lease, DirectorySegmentStore store, String topic,
                                          List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        List<SyntheticWal.Event> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            events.add(new SyntheticWal.Event(r.key(), r.value(), 0));
        }
        long start = records.get(0).offset();
        long end = records.get(records.size() - 1).offset() + 1;
        SegmentMeta meta = ColdTestData.writeSegment(store, SegmentKind.DELTA, 0, lease.partition(),
                ColdTestData.versionsOf(events, 0, 0), start, end);
        catalog.segments().registerL0(lease, meta, new OffsetKey("compactor", topic, lease.partition()), end);
        return meta;
    }

    private static long hotVersions(PageStreamsApp app) {
        ReadOnlyKeyValueStore<byte[], byte[]> store = app.streams().store(StoreQueryParameters.fromNameAndType(
                PageTopology.PAGE_VERSIONS_STORE, QueryableStoreTypes.keyValueStore()));
        long n = 0;
        try (KeyValueIterator<byte[], byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<byte[], byte[]> kv = it.next();
                if (kv.key.length == VersionKey.SIZE) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Reads the sampled pages at every record's LSN, one above, and {@code end}; returns reads, fails on a difference. */
    private static int checkReads(PageReader reader, ReferenceModel model, List<PageKey> pages, long end) throws Exception {
        int reads = 0;
        for (PageKey key : pages) {
            List<Long> at = new ArrayList<>();
            for (ReferenceModel.Rec r : model.records(key)) {
                at.add(r.lsn());
                at.add(r.lsn() + 1);
            }
            at.add(end);
            for (long lsn : at) {
                PageVersion v = reader.read(new PageRequest(T, key.page(), new Lsn(lsn), null,
                        StorePageReader.NO_DEADLINE));
                ReferenceModel.Expected e = model.pageAt(key, lsn);
                assertThat(v.page()).as("page %s at %s", key, Lsn.format(lsn)).isEqualTo(e.page());
                assertThat(v.pageLsn().value()).as("page LSN of %s at %s", key, Lsn.format(lsn)).isEqualTo(e.pageLsn());
                reads++;
            }
        }
        return reads;
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void readsEqualTheModelBeforeDuringAndAfterTrimmingAndACompactionSwapWhileTheHotStoreShrinks() throws Exception {
        String topic = BROKER.createUniqueTopic("wal", PARTITIONS);
        LocalPostgres pg = LocalPostgres.shared();
        CatalogConfig catalogConfig = CatalogConfig.of(pg.jdbcUrl(pg.createDatabase("cold_tier")), pg.user(), pg.password());
        Path segDir = resources.tempDir("cold-it-segments");
        Path stateDir = resources.tempDir("cold-it-state");

        SyntheticWal wal = new SyntheticWal(21, 1_000_000);
        wal.randomRun(T, 80, 3_000, 0.1, 50);
        long end1 = wal.lsn() + 1;
        wal.watermark(T, end1);
        List<SyntheticWal.Event> phase1 = wal.drain();
        publish(topic, phase1);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> phase1Records = new java.util.HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            phase1Records.put(p, consume(topic, p));
        }
        wal.randomRun(T, 80, 1_500, 0.1, 50);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        List<SyntheticWal.Event> phase2 = wal.drain();
        publish(topic, phase2);
        long phase2Versions = ColdTestData.versionsOf(phase2, 0, 0).size();

        Catalog catalog = Catalog.open(catalogConfig);
        resources.add(catalog);
        DirectorySegmentStore writeStore = new DirectorySegmentStore(segDir);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ColdTierSettings settings = ColdTierSettings.of(catalogConfig, segDir)
                .withRefresh(Duration.ofMillis(200), Duration.ofSeconds(1))
                .withTrim(new TrimSettings(true, Duration.ofSeconds(2), Duration.ofMillis(100), 2_000,
                        Duration.ofMillis(20)));
        ColdTier tier = ColdTier.create(settings, registry);
        resources.add(tier);
        StreamsSettings s = StreamsSettings.defaults(BROKER.bootstrapServers(), stateDir, "127.0.0.1:18201")
                .withApplicationId(BROKER.uniqueTopic("page-service-cold")).withWalTopic(topic)
                .withRocksDbMemoryBytes(64L << 20);
        PageStreamsApp app = PageStreamsApp.start(s, tier.trimming());
        resources.add(app);
        PageReader reader = ReadPath.of(app, tier.source(), Duration.ofSeconds(10), 256,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        tier.start(app.partitionCount());
        assertThat(app.awaitReady(Duration.ofSeconds(90))).isTrue();
        await("watermark " + end + " applied on every partition", Duration.ofSeconds(90), () -> {
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionMarks m = app.watermarks().partition(p);
                if (m == null || m.mark(T) == null || m.mark(T).lsn() < end) {
                    return false;
                }
            }
            return true;
        });

        ReferenceModel model = wal.model();
        List<PageKey> pages = model.pageKeys().subList(0, 40);
        long hotBefore = hotVersions(app);
        assertThat(hotBefore).isEqualTo(ColdTestData.versionsOf(phase1, 0, 0).size() + phase2Versions);
        int reads = checkReads(reader, model, pages, end); // before: no segment registered yet

        // a reader that keeps comparing while segments are registered and the hot store is trimmed
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> duringFailure = new AtomicReference<>();
        AtomicInteger duringPasses = new AtomicInteger();
        Thread during = Thread.ofVirtual().start(() -> {
            try {
                while (!stop.get()) {
                    checkReads(reader, model, pages.subList(0, 10), end);
                    duringPasses.incrementAndGet();
                }
            } catch (Throwable t) {
                duringFailure.set(t);
            }
        });

        List<String> l0Names = new ArrayList<>();
        Map<Integer, Lease> leases = new java.util.HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            Lease lease = catalog.leases().acquire(p, "cold-it", Duration.ofMinutes(10)).orElseThrow();
            leases.put(p, lease);
            List<ConsumerRecord<byte[], byte[]>> recs = phase1Records.get(p);
            int half = recs.size() / 2;
            l0Names.add(registerL0(catalog, lease, writeStore, topic, recs.subList(0, half)).name());
            l0Names.add(registerL0(catalog, lease, writeStore, topic, recs.subList(half, recs.size())).name());
        }
        HotTrimming trimming = tier.trimming();
        await("hot store trimmed to the versions no segment holds", Duration.ofSeconds(120),
                () -> hotVersions(app) == phase2Versions);
        Thread.sleep(1_000); // readers keep going a little after the last delete
        stop.set(true);
        during.join();
        assertThat(duringFailure.get()).as("reads during trimming").isNull();
        assertThat(duringPasses.get()).isPositive();
        assertThat(trimming.trimmedVersions()).isEqualTo(hotBefore - phase2Versions);
        assertThat(trimming.mismatches()).isZero();
        assertThat(trimming.sweeps()).isPositive();
        assertThat(registry.get("se.hot.store.entries").gauge().value()).isPositive();
        assertThat(checkReads(reader, model, pages, end)).isEqualTo(reads); // after trimming: old LSNs come from segments

        // compaction: per partition, the two L0 segments are merged into one L1 segment, then GC deletes their files
        for (int p = 0; p < PARTITIONS; p++) {
            List<SyntheticWal.Event> events = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : phase1Records.get(p)) {
                events.add(new SyntheticWal.Event(r.key(), r.value(), 0));
            }
            NavigableMap<byte[], byte[]> merged = ColdTestData.versionsOf(events, 0, 0);
            SegmentMeta l1 = ColdTestData.writeSegment(writeStore, SegmentKind.DELTA, 1, p, merged, -1, -1);
            List<String> inputs = catalog.segments().active(p).stream().map(c -> c.name()).toList();
            assertThat(inputs).hasSize(2);
            assertThat(catalog.segments().replace(leases.get(p), inputs, List.of(l1))).isTrue();
        }
        await("the swap is listed", Duration.ofSeconds(30),
                () -> registry.get("se.cold.segments").gauge().value() == PARTITIONS);
        Thread.sleep(500); // past the in-flight reads: the grace period before GC deletes retired files
        for (String name : l0Names) {
            assertThat(writeStore.delete(name)).isTrue();
        }
        assertThat(checkReads(reader, model, pages, end)).isEqualTo(reads);
        assertThat(hotVersions(app)).isEqualTo(phase2Versions);
        Set<Integer> served = new HashSet<>();
        for (int p : app.watermarks().activePartitions()) {
            served.add(p);
        }
        assertThat(served).hasSize(PARTITIONS);
    }
}
