package io.storageengine.pageservice.streams;

import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.KafkaTestBroker;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@link SyntheticWal} events as a producer following {@code wal-format.md} must: page
 * records keyed by page (default partitioner), WATERMARK records sent explicitly to every
 * partition, after the records they cover (idempotent producer: per-partition order holds).
 * Not thread-safe.
 */
final class WalTestProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;

    WalTestProducer(KafkaTestBroker broker, String topic, int partitions) {
        this.producer = new KafkaProducer<>(broker.producerConfig());
        this.topic = topic;
        this.partitions = partitions;
    }

    void publish(List<SyntheticWal.Event> events) {
        for (SyntheticWal.Event e : events) {
            if (e.key().length == TimelineKey.SIZE) {
                for (int p = 0; p < partitions; p++) {
                    producer.send(new ProducerRecord<>(topic, p, e.key(), e.value()));
                }
            } else {
                producer.send(new ProducerRecord<>(topic, e.key(), e.value()));
            }
        }
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
