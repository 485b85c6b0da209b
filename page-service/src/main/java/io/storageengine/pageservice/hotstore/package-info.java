/**
 * The hot store's storage engine: the {@code page-versions} Kafka Streams store on RocksDB, with
 * iterators bounded to the range asked for.
 *
 * <p>Why not Kafka Streams' own {@code RocksDBStore}: its range iterators carry no
 * {@code iterate_lower_bound}/{@code iterate_upper_bound}, so a {@code reverseRange} over a page
 * whose versions were trimmed (deleted once segments hold them) makes RocksDB's
 * {@code SeekForPrev} walk back over every tombstone before the page, across neighbouring
 * trimmed pages, until it meets a live key; and its methods are {@code synchronized}, so that walk
 * blocks every other reader and the stream thread. Measured with rocksdbjni on 20,000 trimmed
 * pages: 280–340 µs per lookup unbounded vs 17–21 µs bounded (memtable), 40 µs vs 5.5 µs
 * after a flush. {@link io.storageengine.pageservice.hotstore.HotStoreSupplier} plugs the bounded
 * store into the topology; changelogging and metrics stay Kafka Streams' own wrappers.
 *
 * <p>Memory: every RocksDB store of the instance (this one and Kafka Streams' own) shares one
 * budget, {@link io.storageengine.pageservice.hotstore.RocksDbMemory} (one LRU cache and
 * write-buffer manager), which {@link io.storageengine.pageservice.hotstore.BoundedMemoryRocksDbConfig}
 * applies as Kafka Streams' {@code rocksdb.config.setter}. The RocksDB store itself lives in
 * {@code internal} and depends on nothing above it (the supplier hands it the memory hook).
 */
package io.storageengine.pageservice.hotstore;
