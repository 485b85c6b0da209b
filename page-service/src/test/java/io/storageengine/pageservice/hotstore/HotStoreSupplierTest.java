package io.storageengine.pageservice.hotstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * The supplier's memory hook: a store joins the instance's shared RocksDB budget when the Streams
 * configs carry one, and is told to use a private cache otherwise.
 */
class HotStoreSupplierTest {
    static {
        RocksDB.loadLibrary();
    }

    @Test
    void withoutABudgetTheStoreKeepsItsOwnOptions() {
        try (Options o = new Options()) {
            o.setTableFormatConfig(new BlockBasedTableConfig());
            long before = o.writeBufferSize();
            assertThat(HotStoreSupplier.sharedMemory("page-versions", o, Map.of())).isFalse();
            assertThat(HotStoreSupplier.sharedMemory("page-versions", o, Map.of(RocksDbMemory.CONFIG_KEY, "not a budget")))
                    .isFalse();
            assertThat(o.writeBufferSize()).isEqualTo(before);
        }
    }

    @Test
    void withABudgetTheStoreIsPutOnIt() {
        try (RocksDbMemory memory = new RocksDbMemory(32L << 20); Options o = new Options()) {
            o.setTableFormatConfig(new BlockBasedTableConfig());
            o.setWriteBufferSize(123L << 20);
            assertThat(HotStoreSupplier.sharedMemory("page-versions", o, Map.of(RocksDbMemory.CONFIG_KEY, memory))).isTrue();
            assertThat(o.writeBufferSize()).as("sized from the shared budget").isLessThan(123L << 20);
        }
    }

    @Test
    void aStoreNeedsAName() {
        assertThatThrownBy(() -> new HotStoreSupplier(" ")).hasMessageContaining("store name is required");
        assertThat(new HotStoreSupplier("page-versions").metricsScope()).isEqualTo("rocksdb-bounded");
    }
}
