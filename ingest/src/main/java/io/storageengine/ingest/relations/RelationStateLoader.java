package io.storageengine.ingest.relations;

import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the relations topic once, from the beginning to its current end (read_committed), and
 * returns one timeline's fork sizes as of {@code upTo}: for each fork, its newest size change with
 * an LSN ≤ upTo; forks that do not exist then are left out. An ingest that resumes after
 * {@code upTo} (its last durable WATERMARK) restores its tracker with this, and replays the records
 * after it; changes it republishes at an LSN already in the topic carry the same values (the
 * tracker is deterministic), which readers treat as one.
 *
 * <p>Records of other timelines are skipped; invalid records are counted ({@link Result#invalid}).
 * Memory: one entry per fork of the timeline. Stateless; each call uses its own consumer.
 */
public final class RelationStateLoader {
    /** The state, and how many invalid records were skipped. */
    public record Result(Map<RelFork, Long> sizes, long records, long invalid) {
    }

    private RelationStateLoader() {
    }

    public static Result load(String bootstrap, String topic, TimelineKey timeline, Lsn upTo, Duration timeout) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<RelFork, long[]> newest = new HashMap<>(); // fork → {lsn, nblocks or -1}
        long records = 0;
        long invalid = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("relations topic " + topic + " does not exist");
            }
            List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            while (!reached(consumer, end)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("relations topic " + topic + " not read to its end within "
                            + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    RelationKey key;
                    RelationRecord value;
                    try {
                        key = RelationKey.fromBytes(r.key());
                        value = RelationRecord.decode(r.value());
                    } catch (IllegalArgumentException e) {
                        invalid++;
                        continue;
                    }
                    if (key.isWatermark() || !key.timeline().equals(timeline)
                            || !(value instanceof RelationRecord.Size s)
                            || Lsn.of(s.lsn()).isAfter(upTo)) {
                        continue;
                    }
                    long[] prev = newest.get(key.fork());
                    if (prev == null || !Lsn.of(s.lsn()).isBefore(Lsn.of(prev[0]))) {
                        newest.put(key.fork(), new long[] {s.lsn(), s.exists() ? s.nblocks() : -1});
                    }
                }
            }
        }
        Map<RelFork, Long> sizes = new HashMap<>();
        newest.forEach((f, v) -> {
            if (v[1] >= 0) {
                sizes.put(f, v[1]);
            }
        });
        return new Result(sizes, records, invalid);
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
