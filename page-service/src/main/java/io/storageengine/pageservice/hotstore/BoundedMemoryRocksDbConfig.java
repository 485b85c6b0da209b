package io.storageengine.pageservice.hotstore;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

/**
 * Puts every RocksDB store of the instance on the shared {@link RocksDbMemory} (found in the
 * Streams configs under {@link RocksDbMemory#CONFIG_KEY}): block cache with index and filter
 * blocks cached at high priority, memtables charged to the same cache through the write-buffer
 * manager. Without a shared budget in the configs it fails fast rather than run unbounded.
 *
 * <p>Kafka Streams instantiates this class by name, once per store; it holds no state and never
 * closes the shared objects (they outlive every store).
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {
    private static final long BLOCK_SIZE = 16 * 1024;
    private static final int MEMTABLES = 3;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object shared = configs.get(RocksDbMemory.CONFIG_KEY);
        if (!(shared instanceof RocksDbMemory memory)) {
            throw new IllegalStateException("no shared RocksDB memory budget under '" + RocksDbMemory.CONFIG_KEY
                    + "' in the Streams configs (store " + storeName + ")");
        }
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(memory.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setBlockSize(BLOCK_SIZE);
        options.setWriteBufferManager(memory.writeBufferManager());
        long memtable = Math.max(1L << 20, Math.min(64L << 20, memory.memtableBytes() / (2L * MEMTABLES)));
        options.setWriteBufferSize(memtable);
        options.setMaxWriteBufferNumber(MEMTABLES);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write-buffer manager are shared by every store: RocksDbMemory closes them
    }
}
