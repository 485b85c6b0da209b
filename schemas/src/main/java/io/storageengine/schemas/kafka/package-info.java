/**
 * The {@code wal} topic as Kafka sees it: {@link io.storageengine.schemas.kafka.WalRecordCodec},
 * the one codec of its keys and values, and {@link io.storageengine.schemas.kafka.Partitioning},
 * the default partitioner every producer and reader uses. Stateless.
 */
package io.storageengine.schemas.kafka;
