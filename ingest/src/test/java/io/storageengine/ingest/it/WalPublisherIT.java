package io.storageengine.ingest.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.ingest.cli.IngestCli;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.ingest.publish.PublishResult;
import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.ingest.source.TcpListenerSource;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.PagePayloads;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WalPublisher and the CLI against a real broker: what lands in the topic, fencing, LSN regression. */
class WalPublisherIT {
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
    private static final int PARTITIONS = 4;

    private static TimelineKey newTimeline() {
        return new TimelineKey(TenantId.random(), TimelineId.random());
    }

    private static IngestConfig config(String topic) {
        return IngestConfig.load(Map.of()).withBootstrap(BROKER.bootstrapServers()).withTopic(topic);
    }

    private static boolean isWatermark(ConsumerRecord<byte[], byte[]> r) {
        return r.key().length == TimelineKey.SIZE;
    }

    private static long lsn(ConsumerRecord<byte[], byte[]> r) {
        return FrameCodec.decodeExactly(r.value()).lsn();
    }

    @Test
    void aCorruptedWalgenStreamLandsAsExactlyItsValidPageFramesKeyedAndPartitionedWithWatermarksEverywhere() {
        String topic = BROKER.createUniqueTopic("wal-it", PARTITIONS);
        TimelineKey tl = newTimeline();
        WalGen gen = WalGen.builder().seed(11).relations(3).pagesPerRelation(40).records(4000).pagesPerLsn(2)
                .flipRate(0.01).garbageRate(0.01).reservedRate(0.005).badRecordRate(0.005).truncateTail(true).build();
        List<WalGen.Item> expected = new ArrayList<>();
        long lastIntactLsn = 0;
        for (WalGen.Item item : gen) {
            if (item.isPublishedPageRecord()) {
                expected.add(item);
            }
            if (item.isIntactFrame()) {
                lastIntactLsn = item.lsn();
            }
        }
        PublishResult result;
        try (WalPublisher pub = WalPublisher.create(config(topic), tl, new SimpleMeterRegistry())) {
            result = pub.publish(gen.inputStream());
        }
        assertThat(result.decode().corruptFrames()).isPositive();
        assertThat(result.decode().truncatedTailBytes()).isPositive();
        assertThat(result.exitCode()).isEqualTo(1); // the truncated tail is a stream error
        assertThat(result.publishError()).isNull();
        assertThat(result.records()).isEqualTo(expected.size());

        List<ConsumerRecord<byte[], byte[]>> all = TopicReader.readAll(BROKER, topic);
        List<ConsumerRecord<byte[], byte[]>> pages = all.stream().filter(r -> !isWatermark(r)).toList();
        assertThat(pages).hasSize(expected.size());
        // Per partition, in stream order; each keyed by its page key, placed by the default partitioner.
        Map<Integer, List<byte[]>> expectedByPartition = new HashMap<>();
        for (WalGen.Item item : expected) {
            byte[] key = item.pageKey(tl);
            expectedByPartition.computeIfAbsent(Partitioning.partitionOf(key, PARTITIONS), p -> new ArrayList<>())
                    .add(item.bytes());
        }
        for (int p = 0; p < PARTITIONS; p++) {
            int part = p;
            List<ConsumerRecord<byte[], byte[]>> inPartition = pages.stream().filter(r -> r.partition() == part).toList();
            assertThat(inPartition).extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(expectedByPartition.getOrDefault(p, List.of()));
            for (ConsumerRecord<byte[], byte[]> r : inPartition) {
                Frame f = FrameCodec.decodeExactly(r.value());
                byte[] ref = Arrays.copyOfRange(r.key(), TimelineKey.SIZE, r.key().length);
                assertThat(Arrays.copyOf(r.key(), TimelineKey.SIZE)).isEqualTo(tl.toBytes());
                assertThat(ref).isEqualTo(Arrays.copyOf(f.payloadBytes(), PageRef.SIZE));
            }
        }
        // Watermarks: on every partition, never ahead of a record they cover, the last one at the stream's last LSN.
        for (int p = 0; p < PARTITIONS; p++) {
            int part = p;
            List<ConsumerRecord<byte[], byte[]>> inPartition = all.stream().filter(r -> r.partition() == part).toList();
            List<ConsumerRecord<byte[], byte[]>> wms = inPartition.stream().filter(WalPublisherIT::isWatermark).toList();
            assertThat(wms).as("watermarks of partition %d", p).isNotEmpty();
            assertThat(lsn(wms.get(wms.size() - 1))).isEqualTo(lastIntactLsn);
            long maxWatermark = 0;
            for (ConsumerRecord<byte[], byte[]> r : inPartition) {
                if (isWatermark(r)) {
                    assertThat(r.key()).isEqualTo(tl.toBytes());
                    assertThat(FrameCodec.decodeExactly(r.value()).type()).isEqualTo(RecordType.WATERMARK);
                    maxWatermark = Math.max(maxWatermark, lsn(r));
                } else {
                    assertThat(lsn(r)).as("record after a watermark covering it").isGreaterThan(maxWatermark);
                }
            }
        }
    }

    @Test
    void aSecondPublisherForTheSameTimelineFencesTheFirst() {
        String topic = BROKER.createUniqueTopic("wal-fence", PARTITIONS);
        TimelineKey tl = newTimeline();
        WalPublisher first = WalPublisher.create(config(topic), tl, new SimpleMeterRegistry());
        PublishResult r1 = first.publish(new ByteArrayInputStream(images(100, 10)));
        assertThat(r1.exitCode()).isZero();
        try (WalPublisher second = WalPublisher.create(config(topic), tl, new SimpleMeterRegistry())) {
            PublishResult fenced = first.publish(new ByteArrayInputStream(images(1000, 10)));
            assertThat(fenced.publishError()).contains("fenced");
            assertThat(fenced.exitCode()).isEqualTo(3);
            first.close();
            assertThat(second.publish(new ByteArrayInputStream(images(5000, 5))).exitCode()).isZero();
        }
        List<Long> lsns = TopicReader.readAll(BROKER, topic).stream().filter(r -> !isWatermark(r)).map(WalPublisherIT::lsn)
                .sorted().toList();
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 10; i++) {
            expected.add(100 + i);
        }
        for (long i = 0; i < 5; i++) {
            expected.add(5000 + i);
        }
        assertThat(lsns).containsExactlyElementsOf(expected); // nothing of the fenced publisher's second stream
    }

    @Test
    void anLsnRegressionPublishesNothingAfterTheLastGoodLsn() {
        String topic = BROKER.createUniqueTopic("wal-regress", PARTITIONS);
        TimelineKey tl = newTimeline();
        byte[] stream = concat(images(100, 20), images(50, 5), images(200, 5));
        PublishResult r;
        try (WalPublisher pub = WalPublisher.create(config(topic), tl, new SimpleMeterRegistry())) {
            r = pub.publish(new ByteArrayInputStream(stream));
        }
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.decode().lastLsn()).isEqualTo(119);
        assertThat(r.decode().error()).contains("0/32").contains("0/77");
        List<ConsumerRecord<byte[], byte[]>> all = TopicReader.readAll(BROKER, topic);
        assertThat(all.stream().filter(r2 -> !isWatermark(r2)).map(WalPublisherIT::lsn)).hasSize(20).allMatch(l -> l >= 100 && l <= 119);
        assertThat(all.stream().filter(WalPublisherIT::isWatermark).map(WalPublisherIT::lsn)).allMatch(l -> l <= 119);
    }

    @Test
    void eachTcpConnectionIsOneStream() throws Exception {
        String topic = BROKER.createUniqueTopic("wal-tcp", PARTITIONS);
        TimelineKey tl = newTimeline();
        List<PublishResult> results = new ArrayList<>();
        try (WalPublisher pub = WalPublisher.create(config(topic), tl, new SimpleMeterRegistry());
             TcpListenerSource source = new TcpListenerSource(0, 2)) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try {
                    source.run((name, in) -> results.add(pub.publish(in)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (long base : new long[] {10, 1000}) {
                try (Socket s = new Socket("127.0.0.1", source.port()); OutputStream out = s.getOutputStream()) {
                    byte[] b = images(base, 30);
                    for (int i = 0; i < b.length; i += 1000) {
                        out.write(b, i, Math.min(1000, b.length - i));
                    }
                }
            }
            server.get(60, TimeUnit.SECONDS);
        }
        assertThat(results).hasSize(2).allMatch(x -> x.exitCode() == 0 && x.records() == 30);
        assertThat(TopicReader.readAll(BROKER, topic).stream().filter(r -> !isWatermark(r))).hasSize(60);
    }

    @Test
    void theCliPublishesAFileAndTopicStatusShowsTheWatermarkOnEveryPartition(@TempDir Path dir) throws Exception {
        String topic = BROKER.createUniqueTopic("wal-cli", PARTITIONS);
        TimelineKey tl = newTimeline();
        Path file = dir.resolve("in.wal");
        Files.write(file, images(0x1_0000_0000L, 50));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = IngestCli.run(new String[] {"publish", "--tenant", tl.tenant().toString(), "--timeline",
                tl.timeline().toString(), "--bootstrap", BROKER.bootstrapServers(), "--topic", topic, "--summary-json",
                "--quiet", file.toString()}, ps, ps);
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("\"published\":50").contains("\"watermark_lsn\":\"1/31\"").contains("\"exit\":0");
        out.reset();
        assertThat(IngestCli.run(new String[] {"topic-status", "--bootstrap", BROKER.bootstrapServers(), "--topic", topic},
                ps, ps)).isZero();
        String status = out.toString();
        assertThat(status.lines().filter(l -> l.contains(tl + "=1/31")).count()).as(status).isEqualTo(PARTITIONS);
    }

    @Test
    void aNearMaximalDeltaFrameIsPublished() {
        String topic = BROKER.uniqueTopic("wal-big");
        BROKER.createTopic(topic, 2, Map.of("max.message.bytes", "2097152"));
        TimelineKey tl = newTimeline();
        List<io.storageengine.schemas.page.Patch> patches = new ArrayList<>();
        for (int i = 0; i < 127; i++) {
            byte[] data = new byte[WalFormat.PAGE_SIZE];
            Arrays.fill(data, (byte) i);
            patches.add(new io.storageengine.schemas.page.Patch(0, data));
        }
        byte[] big = FrameCodec.encode(7, RecordType.PAGE_DELTA, PagePayloads.delta(new PageRef(1663, 5, 1, 0, 0), patches));
        assertThat(big.length).isGreaterThan(1_000_000);
        try (WalPublisher pub = WalPublisher.create(config(topic), tl, new SimpleMeterRegistry())) {
            assertThat(pub.publish(new ByteArrayInputStream(big)).exitCode()).isZero();
        }
        assertThat(TopicReader.readAll(BROKER, topic).stream().filter(r -> !isWatermark(r)).map(ConsumerRecord::value))
                .singleElement().isEqualTo(big);
    }

    /** {@code n} image frames of distinct pages at LSNs base, base+1, ... */
    private static byte[] images(long base, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            byte[] page = new byte[WalFormat.PAGE_SIZE];
            page[0] = (byte) i;
            out.writeBytes(FrameCodec.encode(base + i, RecordType.PAGE_IMAGE,
                    PagePayloads.image(new PageRef(1663, 5, 16384, 0, i), page)));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
