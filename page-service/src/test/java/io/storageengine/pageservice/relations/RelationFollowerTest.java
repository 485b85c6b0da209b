package io.storageengine.pageservice.relations;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The follower over a MockConsumer: loading, bad records, trimming, stopping. */
class RelationFollowerTest {
    private static final String TOPIC = "wal-relations";
    private static final TimelineKey TL = TimelineKey.of("0123456789abcdef0123456789abcdef",
            "fedcba9876543210fedcba9876543210");
    private static final RelFork REL = RelFork.of(1663, 5, 16384, Fork.MAIN);

    @Test
    void loadsToTheEndOffsetsSkipsBadRecordsAndTrimsBelowTheHorizon() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, null, null),
                new PartitionInfo(TOPIC, 1, node, null, null)));
        consumer.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
        consumer.updateEndOffsets(Map.of(p0, 5L, p1, 1L));
        AtomicInteger polls = new AtomicInteger();
        consumer.schedulePollTask(() -> {
            polls.incrementAndGet();
            add(consumer, 0, 0, new RelationKey(TL, REL).toBytes(), new RelationRecord.Size(0x100, 2, true).encode());
            add(consumer, 0, 1, new byte[7], new RelationRecord.Watermark(0x100).encode()); // bad key
            byte[] corrupt = new RelationRecord.Size(0x180, 3, true).encode();
            corrupt[3] ^= 1;
            add(consumer, 0, 2, new RelationKey(TL, REL).toBytes(), corrupt); // bad CRC
            add(consumer, 0, 3, TL.toBytes(), new RelationRecord.Size(0x190, 1, true).encode()); // size under a timeline key
            add(consumer, 0, 4, new RelationKey(TL, REL).toBytes(), new RelationRecord.Size(0x200, 5, true).encode());
        });
        consumer.schedulePollTask(() -> {
            polls.incrementAndGet();
            add(consumer, 1, 0, TL.toBytes(), new RelationRecord.Watermark(0x300).encode());
        });
        consumer.schedulePollTask(() -> {
            polls.incrementAndGet();
            add(consumer, 0, 5, TL.toBytes(), new RelationRecord.Watermark(0x250).encode());
        });
        RelationHistory history = new RelationHistory();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RelationFollower follower = RelationFollower.start(consumer, TOPIC, history, t -> Lsn.of(0x180),
                Duration.ofMillis(1), registry);
        try {
            await(history::isLoaded);
            // not loaded before partition 1 reached its end offset (its record comes in the second poll)
            assertThat(polls.get()).isGreaterThanOrEqualTo(2);
            await(() -> history.completeLsn(TL).equals(Lsn.of(0x250)));
            assertThat(history.sizeAt(TL, REL, Lsn.of(0x1FF))).isEqualTo(new RelationHistory.Answer.Size(true, 2));
            assertThat(history.sizeAt(TL, REL, Lsn.of(0x200))).isEqualTo(new RelationHistory.Answer.Size(true, 5));
            assertThat(registry.get("se_relation_skipped_total").counter().count()).isEqualTo(3);
            assertThat(registry.get("se_relation_records_total").counter().count()).isEqualTo(4);
            // the 0x100 entry is the newest at or below the horizon 0x180: kept; nothing older to drop
            assertThat(history.entries()).isEqualTo(2);
            assertThat(registry.get("se_relation_loaded").gauge().value()).isEqualTo(1.0);
        } finally {
            follower.close();
        }
        assertThat(follower.isAlive()).isFalse();
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void waitsForTheTopicToExist() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        RelationHistory history = new RelationHistory();
        RelationFollower follower = RelationFollower.start(consumer, TOPIC, history, t -> Lsn.ZERO,
                Duration.ofSeconds(10), new SimpleMeterRegistry());
        try {
            Thread.sleep(300);
            assertThat(history.isLoaded()).isFalse();
            assertThat(follower.isAlive()).isTrue();
        } finally {
            follower.close();
        }
        assertThat(follower.isAlive()).isFalse();
    }

    private static void add(MockConsumer<byte[], byte[]> c, int partition, long offset, byte[] key, byte[] value) {
        c.addRecord(new ConsumerRecord<>(TOPIC, partition, offset, key, value));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
