package io.storageengine.ingest.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.ingest.publish.PublishResult;
import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The publisher end to end on mutated input (issue 11, part 6): {@code se.fuzz.publisher.frames}
 * (default 100,000) frames in streams of 2,000 ({@link MutatedWalStream}, some with an LSN
 * regression) through {@link WalPublisher#publish} into a MockProducer. What reaches Kafka must be
 * exactly what the reference reading delivers: every valid PAGE_IMAGE / PAGE_DELTA, in order, the
 * value the frame's bytes and the key the timeline plus the payload's PageRef; no LSN_ADVANCE,
 * nothing rejected or skipped, nothing after a regression; the last WATERMARK at the last good LSN;
 * exit 0 only for a clean stream. Seed: {@code se.fuzz.seed}.
 */
class WalPublisherFuzzTest {
    private static final long SEED = Long.getLong("se.fuzz.seed", 0x5EED_2026_1202L);
    private static final int FRAMES = Integer.getInteger("se.fuzz.publisher.frames", 100_000);
    private static final TimelineKey TL = TimelineKey.of("11111111111111111111111111111111", "22222222222222222222222222222222");

    @Test
    void publishedRecordsAreExactlyTheValidPageFramesOfTheReferenceReading() {
        Random seeds = new Random(SEED ^ 0x7075626CL);
        long published = 0;
        for (int stream = 0; stream * 2_000 < FRAMES; stream++) {
            long seed = seeds.nextLong();
            try {
                published += check(new MutatedWalStream(new Random(seed)).write(2_000, stream % 4 == 1));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("fuzz failure in stream " + stream + " (stream seed " + seed + "; rerun with -Dse.fuzz.seed="
                        + SEED + "): " + e, e);
            }
        }
        System.out.printf("WalPublisherFuzzTest: seed %d, %d frames, %d page records published%n", SEED, FRAMES, published);
        assertThat(published).isPositive();
    }

    private static long check(MutatedWalStream s) {
        ReferenceWalParser.Result want = ReferenceWalParser.parse(s.buf, s.size);
        List<ReferenceWalParser.Event> pages = new ArrayList<>();
        for (ReferenceWalParser.Event e : want.events()) {
            int type = s.buf[e.offset() + 16];
            if (e.kind() == ReferenceWalParser.Kind.DELIVER && (type == 1 || type == 2)) {
                pages.add(e);
            }
        }
        MockProducer<byte[], byte[]> mock = producer();
        PublishResult result;
        try (WalPublisher pub = new WalPublisher(mock, IngestConfig.load(Map.of()), TL, new SimpleMeterRegistry())) {
            result = pub.publish(new ByteArrayInputStream(s.buf, 0, s.size));
        }
        List<ProducerRecord<byte[], byte[]>> records = mock.history().stream().filter(r -> r.key().length != TimelineKey.SIZE).toList();
        assertThat(records).as("page records published").hasSize(pages.size());
        for (int i = 0; i < pages.size(); i++) {
            ReferenceWalParser.Event e = pages.get(i);
            ProducerRecord<byte[], byte[]> r = records.get(i);
            if (!Arrays.equals(r.value(), 0, r.value().length, s.buf, e.offset(), e.offset() + e.length())) {
                throw new AssertionError("record " + i + " is not the frame at offset " + e.offset());
            }
            byte[] key = Arrays.copyOf(TL.toBytes(), 49);
            System.arraycopy(s.buf, e.offset() + 21, key, 32, 17);
            assertThat(r.key()).as("key of record %d", i).isEqualTo(key);
        }
        assertThat(result.records()).isEqualTo(pages.size());
        List<Long> watermarks = mock.history().stream().filter(r -> r.key().length == TimelineKey.SIZE)
                .map(r -> FrameCodec.decodeExactly(r.value()).lsn()).toList();
        assertThat(watermarks).allMatch(l -> Long.compareUnsigned(l, want.lastLsn()) <= 0, "no WATERMARK past the last good LSN");
        if (want.frames() > 0) {
            assertThat(result.watermarkLsn()).as("last WATERMARK").isEqualTo(want.lastLsn());
        }
        boolean clean = !want.regression() && want.tail() == 0;
        assertThat(result.exitCode()).as("exit code (regression %s, tail %d)", want.regression(), want.tail())
                .isEqualTo(clean ? 0 : 1);
        return pages.size();
    }

    private static MockProducer<byte[], byte[]> producer() {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> parts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parts.add(new PartitionInfo("wal", i, node, new Node[] {node}, new Node[] {node}));
        }
        Cluster cluster = new Cluster("c", List.of(node), parts, java.util.Set.of(), java.util.Set.of());
        return new MockProducer<>(cluster, true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
