package io.storageengine.ingest.pgwal;

import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.RecordType;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The newest LSN of a timeline that is durable in Kafka: its newest committed WATERMARK (every
 * record ≤ it is in the topic). Read with {@code read_committed} from the end of each partition
 * backwards, in growing windows, until a WATERMARK of the timeline is found or {@code maxScan}
 * offsets per partition were read. Call it after the timeline's new publisher is created: its
 * {@code initTransactions} aborts a dead predecessor's open transaction, which would otherwise hold
 * the readable end. Stateless.
 */
public final class DurableLsn {
    private DurableLsn() {
    }

    /** The newest WATERMARK LSN of {@code timeline}, or 0 when the topic holds none. */
    public static long newestWatermark(IngestConfig config, TimelineKey timeline, long maxScan) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "se-ingest-resume-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        byte[] key = timeline.toBytes();
        String topic = config.kafka().topic();
        long newest = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            for (TopicPartition tp : tps) {
                long until = end.get(tp);
                long window = 1000;
                long found = 0;
                while (found == 0 && until > begin.get(tp) && end.get(tp) - until < maxScan) {
                    long from = Math.max(begin.get(tp), until - window);
                    c.assign(List.of(tp));
                    c.seek(tp, from);
                    long idleSince = System.nanoTime();
                    while (c.position(tp) < until && System.nanoTime() - idleSince < 10_000_000_000L) {
                        var records = c.poll(Duration.ofMillis(200));
                        if (!records.isEmpty()) {
                            idleSince = System.nanoTime();
                        }
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            if (r.offset() < until && r.key() != null && Arrays.equals(r.key(), key)) {
                                Frame f = FrameCodec.decodeExactly(r.value());
                                if (f.type() == RecordType.WATERMARK && Lsn.of(f.lsn()).isAfter(Lsn.of(found))) {
                                    found = f.lsn();
                                }
                            }
                        }
                    }
                    until = from;
                    window *= 4;
                }
                if (Lsn.of(found).isAfter(Lsn.of(newest))) {
                    newest = found;
                }
            }
        }
        return newest;
    }

    public static String describe(long lsn) {
        return lsn == 0 ? "none" : Lsn.format(lsn);
    }
}
