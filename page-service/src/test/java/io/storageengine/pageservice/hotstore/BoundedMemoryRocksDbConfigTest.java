package io.storageengine.pageservice.hotstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.TopologyFixture;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class BoundedMemoryRocksDbConfigTest {
    private static final TimelineKey T = TimelineKey.of("0123456789abcdef0123456789abcdef", "00000000000000000000000000000007");

    @Test
    void everyStoreChargesItsMemtablesAndBlocksToTheOneSharedCache() {
        try (RocksDbMemory memory = new RocksDbMemory(32L << 20)) {
            assertThat(memory.usage()).isZero();
            try (TopologyFixture fx = new TopologyFixture(Map.of(
                    StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class,
                    RocksDbMemory.CONFIG_KEY, memory))) {
                SyntheticWal wal = new SyntheticWal(1, 100);
                for (int i = 0; i < 300; i++) {
                    wal.image(SyntheticWal.page(T, 1, i), wal.nextLsn(10));
                }
                wal.watermark(T, wal.lsn());
                fx.pipe(wal.events());
                assertThat(memory.usage()).as("memtables are charged to the shared cache")
                        .isGreaterThan(1L << 20).isLessThanOrEqualTo(memory.totalBytes() + (8L << 20));
                assertThat(fx.versionsStore().get(io.storageengine.schemas.page.VersionKey.encode(
                        SyntheticWal.page(T, 1, 0), wal.model().records(SyntheticWal.page(T, 1, 0)).get(0).lsn())))
                        .isNotNull();
            }
        }
    }

    @Test
    void aStoreWithoutTheSharedBudgetFailsFastInsteadOfRunningUnbounded() {
        assertThatThrownBy(() -> new TopologyFixture(Map.of(
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class)).close())
                .hasStackTraceContaining("no shared RocksDB memory budget");
    }
}
