package io.storageengine.pageservice.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pageservice.hotstore.BoundedMemoryRocksDbConfig;
import io.storageengine.pageservice.hotstore.RocksDbMemory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {
    private final StreamsSettings defaults = StreamsSettings.defaults("k:9092", Path.of("/tmp/x"), "page-1:8080");

    @Test
    void defaultsAreThoseOfTheBrief() {
        assertThat(defaults.applicationId()).isEqualTo("page-service");
        assertThat(defaults.walTopic()).isEqualTo("wal");
        assertThat(defaults.rocksDbMemoryBytes()).isEqualTo(256L << 20);
        assertThat(defaults.advertisedHost()).isEqualTo("page-1");
        assertThat(defaults.advertisedPort()).isEqualTo(8080);
    }

    @Test
    void streamsRunExactlyOnceWithBoundedRocksDbAndTheAdvertisedServer() {
        try (RocksDbMemory memory = new RocksDbMemory(32L << 20)) {
            Properties p = PageStreamsApp.properties(defaults.withStandbyReplicas(2)
                    .withExtraProperties(Map.of("commit.interval.ms", "50")), memory);
            assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
            assertThat(p.get(StreamsConfig.APPLICATION_SERVER_CONFIG)).isEqualTo("page-1:8080");
            assertThat(p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(BoundedMemoryRocksDbConfig.class);
            assertThat(p.get(RocksDbMemory.CONFIG_KEY)).isSameAs(memory);
            assertThat(p.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(2);
            assertThat(p.get("commit.interval.ms")).isEqualTo("50");
        }
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        assertThatThrownBy(() -> StreamsSettings.defaults("k:9092", Path.of("/tmp/x"), "no-port"))
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> defaults.withRocksDbMemoryBytes(1024)).hasMessageContaining("16 MiB");
        assertThatThrownBy(() -> defaults.withStreamThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
