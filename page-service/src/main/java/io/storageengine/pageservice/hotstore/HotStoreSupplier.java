package io.storageengine.pageservice.hotstore;

import io.storageengine.pageservice.hotstore.internal.BoundedRocksStore;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.rocksdb.Options;

/**
 * Supplies the persistent {@code page-versions} store (one per task, active or standby) for
 * {@code Stores.keyValueStoreBuilder}: a RocksDB store whose range iterators are bounded (see the
 * package comment). On disk: {@code <state dir>/<task>/rocksdb/<name>/}, a plain RocksDB database
 * whose WAL is handed to the OS on every Streams commit (see {@code BoundedRocksStore}). Memory:
 * the instance's shared RocksDB budget when the Streams configs carry one
 * ({@code storageengine.rocksdb.memory}), else a private 16 MiB cache per store. Stateless.
 */
public record HotStoreSupplier(String name) implements KeyValueBytesStoreSupplier {
    public HotStoreSupplier {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("store name is required");
        }
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return new BoundedRocksStore(name, HotStoreSupplier::sharedMemory);
    }

    /** The instance's shared budget ({@link RocksDbMemory#CONFIG_KEY}) when the configs carry one. */
    static boolean sharedMemory(String storeName, Options options, Map<String, Object> appConfigs) {
        if (!(appConfigs.get(RocksDbMemory.CONFIG_KEY) instanceof RocksDbMemory)) {
            return false;
        }
        new BoundedMemoryRocksDbConfig().setConfig(storeName, options, appConfigs);
        return true;
    }

    @Override
    public String metricsScope() {
        return "rocksdb-bounded";
    }
}
