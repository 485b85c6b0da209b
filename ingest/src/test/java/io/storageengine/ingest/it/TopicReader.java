package io.storageengine.ingest.it;

import io.storageengine.testsupport.KafkaTestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a whole topic back (read_committed), partition by partition in offset order. */
final class TopicReader {
    private TopicReader() {
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaTestBroker broker, String topic) {
        Map<String, Object> cfg = broker.consumerConfig("reader-" + UUID.randomUUID());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cfg)) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end offsets " + end);
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                    : Long.compare(a.offset(), b.offset()));
            return out;
        }
    }
}
