/**
 * Level 0: the WAL cut into DELTA segments. {@link io.storageengine.compactor.l0.WalRecordDecoder}
 * turns each Kafka record into a page version, a watermark or a counted skip;
 * {@link io.storageengine.compactor.l0.PartitionBuffer} holds one partition's versions until a cut;
 * {@link io.storageengine.compactor.l0.L0Flusher} sorts them, writes the segment and registers it
 * with the offsets it covers in one catalog transaction; {@link io.storageengine.compactor.l0.MemoryBudget}
 * bounds what all buffers hold together.
 */
package io.storageengine.compactor.l0;
