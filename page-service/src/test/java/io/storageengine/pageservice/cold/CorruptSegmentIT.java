package io.storageengine.pageservice.cold;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.pageservice.ItResources;
import io.storageengine.pageservice.Main;
import io.storageengine.pageservice.ReadPath;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.http.Services;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.streams.PageStreamsApp;
import io.storageengine.pageservice.streams.StreamsSettings;
import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.trim.TrimSettings;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.testsupport.FaultTable;
import io.storageengine.testsupport.KafkaBrokerProcess;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PrometheusProcess;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A corrupt segment file on a real broker and catalog, through the page API: L0 segments of both
 * partitions are registered (as the compactor does), the hot store is trimmed to what they do not
 * hold, then bytes inside partition 0's segment file are flipped. A page service that opens the
 * segments afresh (as after a restart; a running one may still serve blocks it verified before)
 * must answer every read of partition 0 that needs the damaged part with a problem (503, never a
 * 200 with other bytes than the reference model's), and every read of partition 1 with the right
 * page. The corrupt reads are counted in {@code se.cold.read.failures{reason=corrupt}}, which a
 * private Prometheus ({@link PrometheusProcess}, monitoring/alerts.yml) scrapes from that server's
 * admin port: the alerts pending or firing from the corruption until the reads are done are the
 * fault table's alerts column.
 */
class CorruptSegmentIT {
    private static final TimelineKey T = TimelineKey.of("badbadbadbadbadbadbadbadbadbad00", "000000000000000000000000000bad01");
    private static final int PARTITIONS = 2;
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

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
                    producer.send(new ProducerRecord<>(topic, Partitioning.partitionOf(e.key(), PARTITIONS), e.key(), e.value()));
                }
            }
            producer.flush();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int partition) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(BROKER.consumerConfig("corrupt-it-" + topic))) {
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

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static HttpResponse<byte[]> get(int port, PageKey key, long lsn) throws Exception {
        String path = "/v1/tenants/" + key.timeline().tenant() + "/timelines/" + key.timeline().timeline() + "/pages/"
                + key.page().spc() + "/" + key.page().db() + "/" + key.page().rel() + "/" + key.page().block()
                + "?lsn=" + Lsn.format(lsn);
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** An HTTP page server over {@code reader} on free ports. */
    private WebServer serve(PageReader reader, PageStreamsApp app) {
        return serve(reader, app, new PageMetrics(), 0);
    }

    /** An HTTP page server over {@code reader}: page API on a free port, admin (/metrics of {@code metrics}) on {@code adminPort}. */
    private WebServer serve(PageReader reader, PageStreamsApp app, PageMetrics metrics, int adminPort) {
        PageServiceConfig config = PageServiceConfig.load(Map.of("SE_HTTP_PORT", "0",
                "SE_ADMIN_PORT", Integer.toString(adminPort), "SE_HTTP_HOST", "127.0.0.1"));
        Services services = Services.create(config, reader, app.ownership(), app::ready, metrics);
        WebServer server = Main.start(config.http(), services);
        resources.add(server::stop);
        return server;
    }

    private static long hotVersions(PageStreamsApp app) {
        ReadOnlyKeyValueStore<byte[], byte[]> store = app.streams().store(StoreQueryParameters.fromNameAndType(
                PageTopology.PAGE_VERSIONS_STORE, QueryableStoreTypes.keyValueStore()));
        long n = 0;
        try (KeyValueIterator<byte[], byte[]> it = store.all()) {
            while (it.hasNext()) {
                if (it.next().key.length == VersionKey.SIZE) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Flips one byte at each offset (XOR 0xFF). */
    private static void flip(Path file, long... offsets) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            for (long off : offsets) {
                f.seek(off);
                int b = f.read();
                f.seek(off);
                f.write(b ^ 0xFF);
            }
        }
    }

    @Test
    void readsNeedingACorruptSegmentAnswerAProblemNeverWrongBytesAndOtherPagesAreServed() throws Exception {
        PrometheusProcess prometheus = PrometheusProcess.start("corrupt-segment");
        resources.add(prometheus);
        String topic = BROKER.createUniqueTopic("wal-corrupt", PARTITIONS);
        LocalPostgres pg = LocalPostgres.shared();
        CatalogConfig catalogConfig = CatalogConfig.of(pg.jdbcUrl(pg.createDatabase("corrupt_segment")), pg.user(), pg.password());
        Path segDir = resources.tempDir("corrupt-it-segments");

        SyntheticWal wal = new SyntheticWal(808, 2_000_000);
        wal.randomRun(T, 60, 3_000, 0.1, 50);
        long end1 = wal.lsn() + 1;
        wal.watermark(T, end1);
        publish(topic, wal.drain());
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> phase1 = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            phase1.put(p, consume(topic, p));
        }
        wal.randomRun(T, 60, 500, 0.1, 50);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        List<SyntheticWal.Event> phase2 = wal.drain();
        publish(topic, phase2);
        long phase2Versions = ColdTestData.versionsOf(phase2, 0, 0).size();

        Catalog catalog = Catalog.open(catalogConfig);
        resources.add(catalog);
        DirectorySegmentStore writeStore = new DirectorySegmentStore(segDir);
        ColdTierSettings settings = ColdTierSettings.of(catalogConfig, segDir)
                .withRefresh(Duration.ofMillis(200), Duration.ofSeconds(1))
                .withTrim(new TrimSettings(true, Duration.ofSeconds(2), Duration.ofMillis(100), 2_000, Duration.ofMillis(20)));
        ColdTier tier = ColdTier.create(settings, new SimpleMeterRegistry());
        resources.add(tier);
        StreamsSettings s = StreamsSettings.defaults(BROKER.bootstrapServers(), resources.tempDir("corrupt-it-state"),
                        "127.0.0.1:18301")
                .withApplicationId(BROKER.uniqueTopic("page-service-corrupt")).withWalTopic(topic)
                .withRocksDbMemoryBytes(64L << 20);
        PageStreamsApp app = PageStreamsApp.start(s, tier.trimming());
        resources.add(app);
        tier.start(app.partitionCount());
        assertThat(app.awaitReady(Duration.ofSeconds(90))).isTrue();
        await("watermark applied on every partition", Duration.ofSeconds(90), () -> {
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionMarks m = app.watermarks().partition(p);
                if (m == null || m.mark(T) == null || m.mark(T).lsn() < end) {
                    return false;
                }
            }
            return true;
        });

        // One L0 per partition over its phase-1 records, registered under a lease with the offsets it covers.
        Map<Integer, SegmentMeta> segments = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            Lease lease = catalog.leases().acquire(p, "corrupt-it", Duration.ofMinutes(10)).orElseThrow();
            List<ConsumerRecord<byte[], byte[]>> recs = phase1.get(p);
            List<SyntheticWal.Event> events = new ArrayList<>();
            recs.forEach(r -> events.add(new SyntheticWal.Event(r.key(), r.value(), 0)));
            long startOffset = recs.getFirst().offset();
            long endOffset = recs.getLast().offset() + 1;
            SegmentMeta meta = ColdTestData.writeSegment(writeStore, SegmentKind.DELTA, 0, p,
                    ColdTestData.versionsOf(events, 0, 0), startOffset, endOffset);
            catalog.segments().registerL0(lease, meta, new OffsetKey("compactor", topic, p), endOffset);
            segments.put(p, meta);
        }
        await("hot store trimmed to the versions no segment holds", Duration.ofSeconds(120),
                () -> hotVersions(app) == phase2Versions);

        ReferenceModel model = wal.model();
        // Every page at every record's LSN and at the end: most of these need the segments now.
        Map<PageKey, List<Long>> reads = new HashMap<>();
        for (PageKey key : model.pageKeys()) {
            List<Long> at = new ArrayList<>();
            model.records(key).forEach(r -> at.add(r.lsn()));
            at.add(end);
            reads.put(key, at);
        }
        WebServer before = serve(ReadPath.of(app, tier.source(), Duration.ofSeconds(5)), app);
        for (Map.Entry<PageKey, List<Long>> e : reads.entrySet()) {
            for (long lsn : e.getValue()) {
                HttpResponse<byte[]> r = get(before.port(), e.getKey(), lsn);
                assertThat(r.statusCode()).as("page %s at %s before the corruption", e.getKey(), Lsn.format(lsn)).isEqualTo(200);
                assertThat(r.body()).isEqualTo(model.pageAt(e.getKey(), lsn).page());
            }
        }

        Path damaged = writeStore.path(segments.get(0).name());
        long size = java.nio.file.Files.size(damaged);
        Instant corrupted = Instant.now();
        flip(damaged, 100, size / 5, size / 3, size / 2);

        // A fresh cold tier (empty caches, as after a restart) serving the same hot store; its meters
        // on the page service's Prometheus registry, scraped from the admin port.
        PageMetrics metrics = new PageMetrics();
        var registry = metrics.registry();
        ColdTier fresh = ColdTier.create(settings.withTrim(new TrimSettings(false, Duration.ofSeconds(2),
                Duration.ofMillis(100), 2_000, Duration.ofMillis(20))), registry);
        resources.add(fresh);
        fresh.start(app.partitionCount());
        await("fresh cold tier lists the segments", Duration.ofSeconds(30),
                () -> registry.get("se.cold.segments").gauge().value() == PARTITIONS);
        int adminPort = KafkaBrokerProcess.freePort();
        WebServer after = serve(ReadPath.of(app, fresh.source(), Duration.ofSeconds(5)), app, metrics, adminPort);
        String adminTarget = "127.0.0.1:" + adminPort;
        prometheus.addTarget("page-service", adminTarget);
        prometheus.awaitScraped("page-service", adminTarget, Duration.ofSeconds(30)); // the counters' 0 first
        int[] ok = new int[PARTITIONS];
        int[] problems = new int[PARTITIONS];
        int wrong = 0;
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (Map.Entry<PageKey, List<Long>> e : reads.entrySet()) {
            int p = Partitioning.partitionOf(e.getKey(), PARTITIONS);
            for (long lsn : e.getValue()) {
                HttpResponse<byte[]> r = get(after.port(), e.getKey(), lsn);
                statuses.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() == 200) {
                    if (Arrays.equals(r.body(), model.pageAt(e.getKey(), lsn).page())) {
                        ok[p]++;
                    } else {
                        wrong++;
                    }
                } else {
                    problems[p]++;
                    assertThat(p).as("partition of page %s answering %s", e.getKey(), r.statusCode()).isZero();
                    assertThat(r.statusCode()).as("status of a read needing the corrupt segment").isEqualTo(503);
                    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
                    assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("corrupt");
                }
            }
        }
        double counted = registry.get("se.cold.read.failures").tag("reason", "corrupt").counter().count();
        System.out.printf("CorruptSegmentIT: segment %s (%d bytes) with 4 flipped bytes; partition 0: %d correct, "
                        + "%d problems; partition 1: %d correct, %d problems; wrong pages: %d; statuses %s; "
                        + "se_cold_read_failures{reason=corrupt} %.0f%n",
                segments.get(0).name(), size, ok[0], problems[0], ok[1], problems[1], wrong, statuses, counted);
        // From the corruption until the last read (+ PrometheusProcess.SETTLE): partition 0 stays damaged by design.
        Instant readsDone = Instant.now();
        String alerts = prometheus.alertsDuring(corrupted, readsDone);
        System.out.printf("CorruptSegmentIT: alerts %s; every alert seen: %s%n", alerts, prometheus.alertsSeen());
        FaultTable.row("corrupt segment file (4 bytes flipped)", "-", Integer.toString(wrong),
                problems[0] + " (503 problem, by design)", "other partition served throughout", alerts);
        assertThat(wrong).as("200 answers with other bytes than the model").isZero();
        assertThat(problems[0]).as("reads of partition 0 that met the corruption").isPositive();
        assertThat(problems[1]).isZero();
        assertThat(ok[1]).isPositive();
        assertThat(counted).isPositive();
        // No for: on SegmentReadFailures: it fires as soon as an evaluation sees the counter rise.
        assertThat(prometheus.alertsSeen(corrupted, readsDone.plus(PrometheusProcess.SETTLE)))
                .as("SegmentReadFailures{reason=corrupt} of %s: %s", adminTarget, alerts)
                .anyMatch(a -> a.name().equals("SegmentReadFailures") && "corrupt".equals(a.labels().get("reason"))
                        && adminTarget.equals(a.labels().get("instance")));
    }
}
