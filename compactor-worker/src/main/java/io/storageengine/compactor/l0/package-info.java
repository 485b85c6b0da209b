/**
 * Level 0: the WAL cut into DELTA segments. The schemas' one Kafka record codec
 * ({@code WalRecordCodec}) turns each Kafka record into a page record, a watermark or a counted skip;
 * {@link io.storageengine.compactor.l0.PartitionBuffer} holds one partition's versions until a cut;
 * {@link io.storageengine.compactor.l0.L0Flusher} sorts them, writes the segment and registers it
 * with the offsets it covers in one catalog transaction; {@link io.storageengine.compactor.l0.MemoryBudget}
 * bounds what all buffers hold together.
 */
package io.storageengine.compactor.l0;
