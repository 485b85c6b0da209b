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
 */
package io.storageengine.pageservice.hotstore;
