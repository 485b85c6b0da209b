package io.storageengine.pageservice.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pageservice.hotstore.BoundedMemoryRocksDbConfig;
import io.storageengine.pageservice.hotstore.RocksDbMemory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
    void changelogBatchesHoldManyPagesUnlessOverridden() {
        try (RocksDbMemory memory = new RocksDbMemory(32L << 20)) {
            String key = org.apache.kafka.streams.StreamsConfig.producerPrefix(
                    org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG);
            assertThat(PageStreamsApp.properties(defaults, memory).get(key)).isEqualTo(256 * 1024);
            Properties overridden = PageStreamsApp.properties(
                    defaults.withExtraProperties(java.util.Map.of(key, "65536")), memory);
            assertThat(overridden.get(key)).isEqualTo("65536");
        }
    }

    @Test
    void staticMembershipIdIsStableAndDerivedFromTheAdvertisedAddressUnlessConfigured() {
        try (RocksDbMemory memory = new RocksDbMemory(32L << 20)) {
            Properties p = PageStreamsApp.properties(defaults, memory);
            assertThat(p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo("page-service-page-1-8080");
            assertThat(p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(10_000);
            assertThat((int) p.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)).isLessThan(10_000 / 3);
            Properties again = PageStreamsApp.properties(
                    StreamsSettings.defaults("other:9092", Path.of("/tmp/y"), "page-1:8080"), memory);
            assertThat(again.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).as("same id after a restart")
                    .isEqualTo(p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
            Properties configured = PageStreamsApp.properties(
                    defaults.withGroupMembership("ps zone/a", Duration.ofSeconds(7)), memory);
            assertThat(configured.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo("ps_zone_a");
            assertThat(configured.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(7_000);
        }
        assertThat(StreamsSettings.defaults("k:9092", Path.of("/tmp/x"), "page-2:8080").effectiveGroupInstanceId())
                .isNotEqualTo(defaults.effectiveGroupInstanceId());
        assertThatThrownBy(() -> defaults.withGroupMembership("", Duration.ofMillis(10)))
                .hasMessageContaining("session timeout");
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        assertThatThrownBy(() -> StreamsSettings.defaults("k:9092", Path.of("/tmp/x"), "no-port"))
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> defaults.withRocksDbMemoryBytes(1024)).hasMessageContaining("16 MiB");
        assertThatThrownBy(() -> defaults.withStreamThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
