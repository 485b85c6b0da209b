/**
 * The Kafka Streams topology that materializes page versions from the {@code wal} topic.
 *
 * <p>{@link io.storageengine.pageservice.topology.PageTopology} wires one source (raw bytes, so a
 * malformed key or value can never fail deserialization) into one processor that validates each
 * frame and writes page versions into the RocksDB store {@code page-versions} (key: 57-byte
 * VersionKey, value: StoredVersion bytes) and applied watermarks into {@code applied-watermarks}
 * (key: partition(4) | tenant(16) | timeline(16), value: lsn(8), all big-endian). Every accepted
 * watermark is mirrored into the thread-safe in-memory
 * {@link io.storageengine.pageservice.topology.WatermarkRegistry} that the read path waits on.
 */
package io.storageengine.pageservice.topology;
