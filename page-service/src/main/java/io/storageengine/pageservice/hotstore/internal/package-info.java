/**
 * The hot store's RocksDB engine, not an API: {@code BoundedRocksStore}, a persistent Kafka Streams
 * {@code KeyValueStore<Bytes, byte[]>} on RocksDB (on disk {@code <task state dir>/rocksdb/<name>/},
 * WAL handed to the OS on every commit), and {@code BoundedRocksIterator}, whose range scans carry
 * RocksDB's iterate bounds so a scan never walks the tombstones trimming leaves around a page. The
 * shared memory budget comes in through the {@code SharedMemory} hook that
 * {@code hotstore.HotStoreSupplier} passes, so this package depends on no other page-service
 * package. Threads: the stream thread writes, interactive-query threads read concurrently; close
 * is guarded by a read-write lock (see {@code BoundedRocksStore}).
 */
package io.storageengine.pageservice.hotstore.internal;
