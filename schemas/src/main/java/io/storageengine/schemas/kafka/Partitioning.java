package io.storageengine.schemas.kafka;

import io.storageengine.schemas.page.PageKey;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of a page in the {@code wal} topic: Kafka's default partitioner on the 49-byte
 * page key (murmur2, made positive, modulo the partition count), as every producer must use it.
 * Readers use it to find the partition, and so the instance, that holds a page. Stateless.
 */
public final class Partitioning {
    private Partitioning() {
    }

    public static int partitionOf(byte[] pageKey, int partitions) {
        return Utils.toPositive(Utils.murmur2(pageKey)) % partitions;
    }

    public static int partitionOf(PageKey key, int partitions) {
        return partitionOf(key.toBytes(), partitions);
    }
}
