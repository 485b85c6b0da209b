package io.storageengine.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.relation.RelationSize;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The relation metadata hook: a record's size changes go with its frames (one call, one
 * transaction), relation watermarks in every round.
 */
class WalPublisherRelationsTest {
    private static final TimelineKey TL = TimelineKey.of("11111111111111111111111111111111",
            "22222222222222222222222222222222");
    private static final RelFork REL = RelFork.of(1663, 5, 16384, Fork.MAIN);

    private static MockProducer<byte[], byte[]> producer(boolean withRelationsTopic) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> parts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parts.add(new PartitionInfo("wal", i, node, new Node[] {node}, new Node[] {node}));
        }
        if (withRelationsTopic) {
            for (int i = 0; i < 2; i++) {
                parts.add(new PartitionInfo("wal-relations", i, node, new Node[] {node}, new Node[] {node}));
            }
        }
        Cluster cluster = new Cluster("c", List.of(node), parts, Set.of(), Set.of());
        return new MockProducer<>(cluster, true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A PG_RECORD-typed frame whose payload starts with a PageRef (the publisher keys it by that). */
    private static byte[] frame(long lsn) {
        java.nio.ByteBuffer payload = java.nio.ByteBuffer.allocate(PageRef.SIZE + 4);
        PageRef.of(1663, 5, 16384, Fork.MAIN, 2).write(payload);
        return FrameCodec.encode(lsn, 0x04, payload.flip());
    }

    private static WalPublisher publisher(MockProducer<byte[], byte[]> p) {
        return new WalPublisher(p, IngestConfig.load(Map.of()), TL, new SimpleMeterRegistry());
    }

    @Test
    void sizeChangesAndRelationWatermarksShareTheTransactions() {
        MockProducer<byte[], byte[]> mock = producer(true);
        try (WalPublisher pub = publisher(mock)) {
            pub.enableRelations();
            pub.acceptComplete(0x100, 0x04, List.of(), List.of(RelationSize.of(REL, 0)));
            pub.acceptComplete(0x180, 0x04, List.of(), List.of());
            pub.acceptComplete(0x200, 0x04, List.of(frame(0x200)),
                    List.of(RelationSize.of(REL, 3), RelationSize.dropped(REL.withFork(2))));
            pub.endOfStream();
            assertThat(pub.watermarkLsn()).isEqualTo(0x200);
            assertThat(pub.relationChangesPublished()).isEqualTo(3);
        }
        assertThat(mock.transactionCommitted()).isTrue();
        List<ProducerRecord<byte[], byte[]>> rel = mock.history().stream()
                .filter(r -> r.topic().equals("wal-relations")).toList();
        List<ProducerRecord<byte[], byte[]>> sizes = rel.stream().filter(r -> r.key().length == RelationKey.SIZE).toList();
        assertThat(sizes).extracting(r -> RelationRecord.decode(r.value())).containsExactly(
                new RelationRecord.Size(0x100, 0, true), new RelationRecord.Size(0x200, 3, true),
                new RelationRecord.Size(0x200, 0, false));
        assertThat(sizes.get(2).key()).isEqualTo(new RelationKey(TL, REL.withFork(2)).toBytes());
        assertThat(sizes).allMatch(r -> r.partition() == null, "default partitioner places size changes");
        List<ProducerRecord<byte[], byte[]>> marks = rel.stream().filter(r -> r.key().length == TimelineKey.SIZE).toList();
        assertThat(marks).extracting(ProducerRecord::partition).containsExactlyInAnyOrder(0, 1);
        assertThat(marks).allMatch(r -> RelationRecord.decode(r.value()).equals(new RelationRecord.Watermark(0x200)));
        // the WAL topic's round is at the same LSN; the record's size changes precede its frame, and
        // the relation marks follow both
        List<ProducerRecord<byte[], byte[]>> wal = mock.history().stream().filter(r -> r.topic().equals("wal")).toList();
        assertThat(wal).allMatch(r -> FrameCodec.decodeExactly(r.value()).lsn() == 0x200);
        ProducerRecord<byte[], byte[]> page = wal.stream().filter(r -> r.key().length != TimelineKey.SIZE).findFirst()
                .orElseThrow();
        assertThat(mock.history().indexOf(page)).isGreaterThan(mock.history().indexOf(sizes.getLast()));
        assertThat(mock.history().indexOf(marks.getFirst())).isGreaterThan(mock.history().indexOf(page));
    }

    @Test
    void relationsMustBeEnabledAndTheirTopicMustExist() {
        try (WalPublisher pub = publisher(producer(true))) {
            assertThatThrownBy(() -> pub.acceptComplete(0x10, 0x04, List.of(), List.of(RelationSize.of(REL, 1))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not enabled");
        }
        MockProducer<byte[], byte[]> noTopic = producer(false);
        try (WalPublisher pub = publisher(noTopic)) {
            assertThatThrownBy(pub::enableRelations).isInstanceOf(PublishException.class)
                    .hasMessageContaining("wal-relations");
        }
    }
}
