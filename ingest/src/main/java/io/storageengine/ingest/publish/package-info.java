/**
 * Publishing decoded frames to the {@code wal} topic: {@link io.storageengine.ingest.publish.WalPublisher},
 * one transactional, idempotent KafkaProducer per timeline, with WATERMARK rounds to every partition.
 */
package io.storageengine.ingest.publish;
