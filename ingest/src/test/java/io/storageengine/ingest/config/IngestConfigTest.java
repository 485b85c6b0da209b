package io.storageengine.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

    @Test
    void defaultsComeFromApplicationYaml() {
        IngestConfig c = IngestConfig.load(Map.of());
        assertThat(c.kafka().bootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(c.kafka().topic()).isEqualTo("wal");
        assertThat(c.kafka().lingerMs()).isEqualTo(5);
        assertThat(c.kafka().batchSize()).isEqualTo(262_144);
        assertThat(c.publisher().commitIntervalMs()).isEqualTo(100);
        assertThat(c.decoder().maxBuffers()).isPositive();
    }

    @Test
    void environmentVariablesOverride() {
        IngestConfig c = IngestConfig.load(Map.of("SE_KAFKA_BOOTSTRAP", "kafka:1234", "SE_WAL_TOPIC", "wal2",
                "SE_INGEST_COMPRESSION", "none", "SE_INGEST_COMMIT_INTERVAL_MS", "50", "SE_INGEST_METRICS_PORT", "9999"));
        assertThat(c.kafka().bootstrap()).isEqualTo("kafka:1234");
        assertThat(c.kafka().topic()).isEqualTo("wal2");
        assertThat(c.kafka().compression()).isEqualTo("none");
        assertThat(c.publisher().commitIntervalMs()).isEqualTo(50);
        assertThat(c.metrics().port()).isEqualTo(9999);
    }

    @Test
    void theKafkaPortAloneSetsTheBootstrap() {
        assertThat(IngestConfig.load(Map.of("SE_KAFKA_PORT", "19092")).kafka().bootstrap()).isEqualTo("127.0.0.1:19092");
    }

    @Test
    void aCommitIntervalOver100msIsRefused() {
        assertThatThrownBy(() -> IngestConfig.load(Map.of("SE_INGEST_COMMIT_INTERVAL_MS", "500")))
                .hasStackTraceContaining("commit-interval-ms");
    }
}
