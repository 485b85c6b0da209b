package io.storageengine.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The shared broker accepts topics, records and consumer groups, and is the same instance JVM-wide. */
class KafkaTestBrokerIT {

    private final KafkaTestBroker broker = KafkaTestBroker.shared();

    @Test
    void producedRecordIsConsumedBack() throws Exception {
        String topic = broker.createUniqueTopic("roundtrip", 3);
        byte[] key = "page-1".getBytes(StandardCharsets.UTF_8);
        byte[] value = "hello".getBytes(StandardCharsets.UTF_8);
        RecordMetadata sent;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(broker.producerConfig())) {
            sent = producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(broker.consumerConfig("g-" + topic))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        assertThat(got).hasSize(1);
        assertThat(got.get(0).key()).isEqualTo(key);
        assertThat(got.get(0).value()).isEqualTo(value);
        assertThat(got.get(0).partition()).isEqualTo(sent.partition());
        assertThat(got.get(0).offset()).isEqualTo(sent.offset());
    }

    @Test
    void createTopicMakesAllPartitionsAvailableAndToleratesRepeats() throws Exception {
        String topic = broker.uniqueTopic("wal");
        broker.createTopic(topic, 8);
        broker.createTopic(topic, 8);
        try (Admin admin = broker.admin()) {
            var description = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(description.partitions()).hasSize(8);
            assertThat(description.partitions()).allSatisfy(p -> assertThat(p.leader()).isNotNull());
        }
    }

    @Test
    void freshTopicTakesAnImmediateBurstOnEveryPartitionWithoutLoss() throws Exception {
        int partitions = 8;
        int perPartition = 250;
        String topic = broker.createUniqueTopic("burst", partitions);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(broker.producerConfig())) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < partitions; p++) {
                    acks.add(producer.send(new ProducerRecord<>(topic, p, null, new byte[] {(byte) i})));
                }
            }
            producer.flush();
        }
        for (var ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS);
            assertThat(ends.values()).allSatisfy(info -> assertThat(info.offset()).isEqualTo(perPartition));
        }
    }

    @Test
    void uniqueTopicNamesDifferAndAreLegal() {
        String a = broker.uniqueTopic("My Topic");
        String b = broker.uniqueTopic("My Topic");
        assertThat(a).isNotEqualTo(b).matches("[a-z0-9._-]+");
    }

    @Test
    void sharedReturnsOneBrokerPerJvm() {
        assertThat(KafkaTestBroker.shared()).isSameAs(broker);
        assertThat(broker.bootstrapServers()).isNotBlank();
    }
}
