package io.storageengine.compactor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactorConfigTest {
    @Test
    void defaultsComeFromApplicationYaml() {
        CompactorConfig c = CompactorConfig.load(Map.of());
        assertThat(c.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(c.consumerGroup()).isEqualTo("compactor");
        assertThat(c.segmentDir()).isEqualTo(Path.of(".local/segments"));
        assertThat(c.adminPort()).isEqualTo(9091);
        assertThat(c.l0SegmentBytes()).isEqualTo(64L << 20);
        assertThat(c.policy().l1TargetBytes()).isEqualTo(128L << 20);
        assertThat(c.gcGrace()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.workerId()).isNotBlank();
        assertThat(c.toString()).doesNotContain("password=se");
    }

    @Test
    void environmentVariablesOverrideTheYaml() {
        CompactorConfig c = CompactorConfig.load(Map.of("SE_KAFKA_BOOTSTRAP", "k:1", "SE_CATALOG_URL", "jdbc:postgresql://h:2/db",
                "SE_SEGMENT_DIR", "/tmp/segs", "SE_COMPACTOR_ADMIN_PORT", "0", "SE_COMPACTOR_L0_MAX_AGE", "500ms",
                "SE_COMPACTOR_L0_TRIGGER", "7"));
        assertThat(c.kafkaBootstrap()).isEqualTo("k:1");
        assertThat(c.catalog().jdbcUrl()).isEqualTo("jdbc:postgresql://h:2/db");
        assertThat(c.segmentDir()).isEqualTo(Path.of("/tmp/segs"));
        assertThat(c.adminPort()).isZero();
        assertThat(c.l0MaxAge()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.policy().l0Trigger()).isEqualTo(7);
    }

    @Test
    void fetchSizesReachTheConsumerProperties() {
        CompactorConfig c = CompactorConfig.load(Map.of("SE_COMPACTOR_FETCH_MAX_BYTES", "1048576",
                "SE_COMPACTOR_MAX_PARTITION_FETCH_BYTES", "65536", "SE_COMPACTOR_MAX_POLL_RECORDS", "17"));
        assertThat(c.fetch()).isEqualTo(new CompactorConfig.Fetch(1048576, 65536, 17));
        var p = c.walConsumerProperties();
        assertThat(p.get("fetch.max.bytes")).isEqualTo(1048576);
        assertThat(p.get("max.partition.fetch.bytes")).isEqualTo(65536);
        assertThat(p.get("max.poll.records")).isEqualTo(17);
        assertThat(p.get("isolation.level")).isEqualTo("read_committed");
        assertThat(p.get("enable.auto.commit")).isEqualTo(false);
        assertThatThrownBy(() -> CompactorConfig.load(Map.of("SE_COMPACTOR_MAX_POLL_RECORDS", "0")))
                .hasMessageContaining("max-poll-records");
    }

    @Test
    void aMalformedDurationIsAClearError() {
        assertThatThrownBy(() -> CompactorConfig.load(Map.of("SE_COMPACTOR_GC_GRACE", "ten minutes")))
                .hasMessageContaining("ten minutes");
    }
}
