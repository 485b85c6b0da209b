package io.storageengine.pageservice.hotstore;

import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * The off-heap memory budget shared by every RocksDB store of one application instance (Kafka
 * Streams' "bounded memory" pattern): one LRU block cache of {@code totalBytes} that holds data,
 * index and filter blocks, and a write-buffer manager that charges memtables to the same cache
 * (a quarter of the total). Created by {@code PageStreamsApp}, handed to
 * {@link BoundedMemoryRocksDbConfig} through the Streams configs (no static state), closed after
 * Kafka Streams has closed. Thread-safe (RocksDB's objects are).
 */
public final class RocksDbMemory implements AutoCloseable {
    /** Streams config key under which the instance travels to the config setter. */
    public static final String CONFIG_KEY = "storageengine.rocksdb.memory";
    /** Share of the cache reserved for index and filter blocks (high priority). */
    static final double INDEX_FILTER_RATIO = 0.1;

    static {
        RocksDB.loadLibrary();
    }

    private final long totalBytes;
    private final long memtableBytes;
    private final Cache cache;
    private final WriteBufferManager writeBufferManager;

    public RocksDbMemory(long totalBytes) {
        this.totalBytes = totalBytes;
        this.memtableBytes = totalBytes / 4;
        this.cache = new LRUCache(totalBytes, -1, false, INDEX_FILTER_RATIO);
        this.writeBufferManager = new WriteBufferManager(memtableBytes, cache);
    }

    public long totalBytes() {
        return totalBytes;
    }

    public long memtableBytes() {
        return memtableBytes;
    }

    Cache cache() {
        return cache;
    }

    WriteBufferManager writeBufferManager() {
        return writeBufferManager;
    }

    /** Bytes the shared cache holds now (blocks and charged memtables). */
    public long usage() {
        return cache.getUsage();
    }

    @Override
    public void close() {
        writeBufferManager.close();
        cache.close();
    }
}
