package io.storageengine.pageservice.streams;

import io.storageengine.schemas.kafka.Partitioning;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Maps a 49-byte page key to its {@code wal} partition exactly as producers do (Kafka's default
 * partitioner, schemas {@link Partitioning}), for {@code KafkaStreams.queryMetadataForKey}: the
 * store's keys are 57-byte VersionKeys, so Streams' own key hashing would pick the wrong
 * partition. Stateless.
 */
public final class PagePartitioner implements StreamPartitioner<byte[], Object> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] pageKey, Object value, int numPartitions) {
        return Optional.of(Set.of(Partitioning.partitionOf(pageKey, numPartitions)));
    }
}
