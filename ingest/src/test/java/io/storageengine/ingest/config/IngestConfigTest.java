package io.storageengine.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.runtime.config.ConfigException;
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
    void theKafkaBootstrapWinsOverTheKafkaPort() {
        assertThat(IngestConfig.load(Map.of("SE_KAFKA_PORT", "19092", "SE_KAFKA_BOOTSTRAP", "k:1")).kafka().bootstrap())
                .isEqualTo("k:1");
    }

    @Test
    void aCommitIntervalOver100msIsRefused() {
        assertThatThrownBy(() -> IngestConfig.load(Map.of("SE_INGEST_COMMIT_INTERVAL_MS", "500")))
                .isInstanceOf(ConfigException.class)
                .hasStackTraceContaining("commit-interval-ms");
    }

    @Test
    void everyDocumentedVariableReachesItsSetting() {
        IngestConfig c = IngestConfig.load(Map.of("SE_INGEST_LINGER_MS", "7", "SE_INGEST_BATCH_SIZE", "64KiB",
                "SE_INGEST_BUFFER_MEMORY", "16777216", "SE_INGEST_DELIVERY_TIMEOUT_MS", "30000",
                "SE_INGEST_COMMIT_MAX_BYTES", "8MiB", "SE_INGEST_TRANSACTION_TIMEOUT_MS", "20000",
                "SE_INGEST_DECODER_BUFFER_SIZE", "4MiB", "SE_INGEST_DECODER_MAX_BUFFERS", "2"));
        assertThat(c.kafka().lingerMs()).isEqualTo(7);
        assertThat(c.kafka().batchSize()).isEqualTo(64 * 1024);
        assertThat(c.kafka().bufferMemory()).isEqualTo(16L << 20);
        assertThat(c.kafka().deliveryTimeoutMs()).isEqualTo(30_000);
        assertThat(c.publisher().commitMaxBytes()).isEqualTo(8L << 20);
        assertThat(c.publisher().transactionTimeoutMs()).isEqualTo(20_000);
        assertThat(c.decoder().bufferSize()).isEqualTo(4 << 20);
        assertThat(c.decoder().maxBuffers()).isEqualTo(2);
        assertThat(c.kafka().bufferMemory()).isEqualTo(16L << 20);
    }

    @Test
    void sizesInTheYamlAreBytes() {
        IngestConfig c = IngestConfig.load(Map.of());
        assertThat(c.kafka().bufferMemory()).isEqualTo(32L << 20);
        assertThat(c.publisher().commitMaxBytes()).isEqualTo(64L << 20);
        assertThat(c.decoder().bufferSize()).isEqualTo(2_097_194);
        assertThat(c.metrics().port()).isZero();
    }

    @Test
    void badValuesNameTheirKeyAndVariable() {
        assertThatThrownBy(() -> IngestConfig.load(Map.of("SE_INGEST_LINGER_MS", "soon")))
                .hasMessage("ingest.linger-ms: expected an integer, got 'soon' (from SE_INGEST_LINGER_MS)");
        assertThatThrownBy(() -> IngestConfig.load(Map.of("SE_INGEST_DECODER_BUFFER_SIZE", "1KiB")))
                .hasMessageContaining("ingest.decoder.buffer-size");
    }
}
