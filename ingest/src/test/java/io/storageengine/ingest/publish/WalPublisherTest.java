package io.storageengine.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import io.storageengine.testsupport.PagePayloads;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class WalPublisherTest {
    private static final TimelineKey TL = TimelineKey.of("11111111111111111111111111111111", "22222222222222222222222222222222");
    private static final int PARTITIONS = 3;

    private static MockProducer<byte[], byte[]> producer() {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> parts = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i++) {
            parts.add(new PartitionInfo("wal", i, node, new Node[] {node}, new Node[] {node}));
        }
        Cluster cluster = new Cluster("c", List.of(node), parts, java.util.Set.of(), java.util.Set.of());
        return new MockProducer<>(cluster, true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static WalPublisher publisher(MockProducer<byte[], byte[]> p) {
        return new WalPublisher(p, IngestConfig.load(Map.of()), TL, new SimpleMeterRegistry());
    }

    private static byte[] image(long lsn, int block) {
        return FrameCodec.encode(lsn, RecordType.PAGE_IMAGE, PagePayloads.image(new PageRef(1663, 5, 16384, 0, block),
                new byte[WalFormat.PAGE_SIZE]));
    }

    private static byte[] advance(long lsn) {
        return FrameCodec.encode(lsn, RecordType.LSN_ADVANCE, new byte[] {1});
    }

    private static byte[] stream(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static boolean isWatermark(ProducerRecord<byte[], byte[]> r) {
        return r.key().length == TimelineKey.SIZE;
    }

    private static long lsnOf(ProducerRecord<byte[], byte[]> r) {
        return FrameCodec.decodeExactly(r.value()).lsn();
    }

    @Test
    void pageRecordsAreKeyedByPageKeyWithTheExactFrameAsValueAndLsnAdvanceIsNotPublished() {
        MockProducer<byte[], byte[]> mock = producer();
        byte[] a = image(100, 1), b = image(200, 2);
        try (WalPublisher pub = publisher(mock)) {
            PublishResult r = pub.publish(new ByteArrayInputStream(stream(a, advance(150), b)));
            assertThat(r.exitCode()).isZero();
            assertThat(r.records()).isEqualTo(2);
        }
        List<ProducerRecord<byte[], byte[]>> pages = mock.history().stream().filter(r -> !isWatermark(r)).toList();
        assertThat(pages).hasSize(2);
        assertThat(pages.get(0).value()).isEqualTo(a);
        assertThat(pages.get(1).value()).isEqualTo(b);
        assertThat(pages.get(0).key()).isEqualTo(new PageKey(TL, new PageRef(1663, 5, 16384, 0, 1)).toBytes());
        assertThat(pages).allMatch(r -> r.partition() == null, "default partitioner places page records");
    }

    @Test
    void postgresRecordsArePublishedLikeOtherPageRecords() {
        MockProducer<byte[], byte[]> mock = producer();
        PageRef ref = io.storageengine.ingest.decode.TestFrames.PAGE;
        byte[] pg = io.storageengine.ingest.decode.TestFrames.pg(300, 1, 0);
        try (WalPublisher pub = publisher(mock)) {
            assertThat(pub.publish(new ByteArrayInputStream(pg)).records()).isEqualTo(1);
        }
        List<ProducerRecord<byte[], byte[]>> pages = mock.history().stream().filter(r -> !isWatermark(r)).toList();
        assertThat(pages).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(new PageKey(TL, ref).toBytes());
            assertThat(r.value()).isEqualTo(pg);
        });
    }

    @Test
    void theEndOfAStreamCommitsAWatermarkAtItsLastLsnToEveryPartitionAfterTheRecords() {
        MockProducer<byte[], byte[]> mock = producer();
        try (WalPublisher pub = publisher(mock)) {
            pub.publish(new ByteArrayInputStream(stream(image(100, 1), image(200, 2), advance(300))));
            assertThat(pub.watermarkLsn()).isEqualTo(300);
        }
        List<ProducerRecord<byte[], byte[]>> h = mock.history();
        List<ProducerRecord<byte[], byte[]>> wms = h.stream().filter(WalPublisherTest::isWatermark).toList();
        assertThat(wms).extracting(ProducerRecord::partition).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(wms).allMatch(r -> lsnOf(r) == 300 && FrameCodec.decodeExactly(r.value()).type() == RecordType.WATERMARK);
        assertThat(wms).allMatch(r -> FrameCodec.decodeExactly(r.value()).payloadLength() == 0);
        assertThat(h.indexOf(wms.get(0))).isGreaterThan(1);
        assertThat(wms.get(0).key()).isEqualTo(TL.toBytes());
        assertThat(mock.transactionCommitted()).isTrue();
    }

    @Test
    void aWatermarkNeverClaimsAnLsnWhoseFramesMayStillCome() {
        MockProducer<byte[], byte[]> mock = producer();
        try (WalPublisher pub = publisher(mock)) {
            Frame f1 = FrameCodec.decodeExactly(image(500, 1));
            pub.accept(f1, java.nio.ByteBuffer.wrap(image(500, 1)));
            pub.flush();
            assertThat(mock.history().stream().filter(WalPublisherTest::isWatermark)).isEmpty();
            pub.accept(FrameCodec.decodeExactly(image(500, 2)), java.nio.ByteBuffer.wrap(image(500, 2)));
            pub.accept(FrameCodec.decodeExactly(image(600, 1)), java.nio.ByteBuffer.wrap(image(600, 1)));
            pub.flush();
            assertThat(pub.watermarkLsn()).isEqualTo(500);
            pub.endOfStream();
            assertThat(pub.watermarkLsn()).isEqualTo(600);
        }
    }

    @Test
    void anIdlePublisherSendsOneMoreWatermarkRound() throws Exception {
        MockProducer<byte[], byte[]> mock = producer();
        try (WalPublisher pub = publisher(mock)) {
            pub.accept(FrameCodec.decodeExactly(image(10, 1)), java.nio.ByteBuffer.wrap(image(10, 1)));
            pub.accept(FrameCodec.decodeExactly(image(20, 1)), java.nio.ByteBuffer.wrap(image(20, 1)));
            long deadline = System.currentTimeMillis() + 5_000;
            while (mock.history().stream().filter(WalPublisherTest::isWatermark).count() < 2 * PARTITIONS
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            List<Long> lsns = mock.history().stream().filter(WalPublisherTest::isWatermark).map(WalPublisherTest::lsnOf).toList();
            assertThat(lsns).hasSize(2 * PARTITIONS).containsOnly(10L);
            Thread.sleep(300);
            assertThat(mock.history().stream().filter(WalPublisherTest::isWatermark).count()).isEqualTo(2 * PARTITIONS);
        }
    }

    @Test
    void whileRecordsFlowWatermarkRoundsAreCommittedRepeatedlyWithRisingLsns() throws Exception {
        MockProducer<byte[], byte[]> mock = producer();
        try (WalPublisher pub = publisher(mock)) {
            for (int i = 1; i <= 40; i++) {
                pub.accept(FrameCodec.decodeExactly(image(i * 10L, i)), java.nio.ByteBuffer.wrap(image(i * 10L, i)));
                Thread.sleep(20);
            }
            List<Long> lsns = mock.history().stream().filter(WalPublisherTest::isWatermark).map(WalPublisherTest::lsnOf).toList();
            assertThat(lsns.size() / PARTITIONS).as("watermark rounds during ~800 ms of records").isGreaterThanOrEqualTo(3);
            assertThat(lsns).isSorted().allMatch(l -> l < 400, "never the last, possibly incomplete LSN");
            assertThat(mock.commitCount()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void anLsnRegressionCommitsWhatCameBeforeAndNothingAfter() {
        MockProducer<byte[], byte[]> mock = producer();
        try (WalPublisher pub = publisher(mock)) {
            PublishResult r = pub.publish(new ByteArrayInputStream(stream(image(100, 1), image(200, 2), image(150, 3),
                    image(300, 4))));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.decode().error()).contains("0/96").contains("0/C8");
            assertThat(r.watermarkLsn()).isEqualTo(200);
        }
        assertThat(mock.history().stream().filter(r -> !isWatermark(r)).map(WalPublisherTest::lsnOf)).containsExactly(100L, 200L);
        List<Long> wms = mock.history().stream().filter(WalPublisherTest::isWatermark).map(WalPublisherTest::lsnOf).toList();
        assertThat(wms).allMatch(l -> l <= 200).last().isEqualTo(200L);
    }

    @Test
    void aFencedPublisherFailsWithAClearError() {
        MockProducer<byte[], byte[]> mock = producer();
        WalPublisher pub = publisher(mock);
        pub.accept(FrameCodec.decodeExactly(image(10, 1)), java.nio.ByteBuffer.wrap(image(10, 1)));
        mock.fenceProducer();
        assertThatThrownBy(() -> pub.accept(FrameCodec.decodeExactly(image(20, 1)), java.nio.ByteBuffer.wrap(image(20, 1))))
                .isInstanceOf(PublishException.class).hasMessageContaining("fenced")
                .hasMessageContaining(WalPublisher.transactionalId(TL));
        pub.close();
    }

    @Test
    void theTransactionalIdIsDerivedFromTenantAndTimeline() {
        assertThat(WalPublisher.transactionalId(TL))
                .isEqualTo("se-ingest-11111111111111111111111111111111-22222222222222222222222222222222");
        assertThat(WalPublisher.producerProperties(IngestConfig.load(Map.of()), TL))
                .containsEntry("acks", "all").containsEntry("enable.idempotence", true).containsEntry("linger.ms", 5)
                .containsEntry("batch.size", 262144);
    }

    @Test
    void acceptCompletePublishesARecordsFramesTogetherAndItsLsnIsCompleteAtOnce() {
        MockProducer<byte[], byte[]> mock = producer();
        java.nio.ByteBuffer p1 = java.nio.ByteBuffer.allocate(PageRef.SIZE + 4);
        new PageRef(1663, 5, 16384, 0, 1).write(p1);
        java.nio.ByteBuffer p2 = java.nio.ByteBuffer.allocate(PageRef.SIZE + 4);
        new PageRef(1663, 5, 16384, 0, 2).write(p2);
        byte[] f1 = FrameCodec.encode(100, 0x04, p1.flip());
        byte[] f2 = FrameCodec.encode(100, 0x04, p2.flip());
        try (WalPublisher pub = publisher(mock)) {
            pub.acceptComplete(100, 0x04, List.of(f1, f2));
            pub.flush();
            assertThat(pub.watermarkLsn()).isEqualTo(100); // complete without waiting for a higher LSN
            pub.acceptComplete(150, 0x04, List.of()); // an LSN advance
            pub.flush();
            assertThat(pub.watermarkLsn()).isEqualTo(150);
            assertThat(pub.recordsPublished()).isEqualTo(2);
        }
        List<ProducerRecord<byte[], byte[]>> pages = mock.history().stream().filter(r -> !isWatermark(r)).toList();
        assertThat(pages).hasSize(2);
        assertThat(pages.get(0).value()).isEqualTo(f1);
        assertThat(java.util.Arrays.copyOfRange(pages.get(1).key(), TimelineKey.SIZE, PageKey.SIZE))
                .isEqualTo(java.util.Arrays.copyOfRange(f2, WalFormat.HEADER_SIZE, WalFormat.HEADER_SIZE + PageRef.SIZE));
        assertThat(mock.history().stream().filter(WalPublisherTest::isWatermark).map(WalPublisherTest::lsnOf).distinct()
                .toList()).containsExactly(100L, 150L);
    }
}
