package io.storageengine.compactor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.runtime.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
        assertThat(c.bulkIo()).isEqualTo(io.storageengine.segments.segment.BulkIo.DIRECT);
    }

    @Test
    void directIoCanBeTurnedOffAndANonBooleanIsAClearError() {
        assertThat(CompactorConfig.load(Map.of("SE_COMPACTOR_DIRECT_IO", "false")).bulkIo())
                .isEqualTo(io.storageengine.segments.segment.BulkIo.PAGE_CACHE);
        assertThatThrownBy(() -> CompactorConfig.load(Map.of("SE_COMPACTOR_DIRECT_IO", "sometimes")))
                .hasMessageContaining("sometimes");
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
                "SE_COMPACTOR_MAX_PARTITION_FETCH_BYTES", "65536", "SE_COMPACTOR_MAX_POLL_RECORDS", "17",
                "SE_COMPACTOR_FETCH_MIN_BYTES", "4096", "SE_COMPACTOR_FETCH_MAX_WAIT", "250ms"));
        assertThat(c.fetch()).isEqualTo(new CompactorConfig.Fetch(1048576, 65536, 17, 4096, Duration.ofMillis(250)));
        var p = c.walConsumerProperties();
        assertThat(p.get("fetch.max.bytes")).isEqualTo(1048576);
        assertThat(p.get("max.partition.fetch.bytes")).isEqualTo(65536);
        assertThat(p.get("max.poll.records")).isEqualTo(17);
        assertThat(p.get("fetch.min.bytes")).isEqualTo(4096);
        assertThat(p.get("fetch.max.wait.ms")).isEqualTo(250);
        assertThat(p.get("isolation.level")).isEqualTo("read_committed");
        assertThat(p.get("enable.auto.commit")).isEqualTo(false);
        assertThatThrownBy(() -> CompactorConfig.load(Map.of("SE_COMPACTOR_MAX_POLL_RECORDS", "0")))
                .hasMessageContaining("max-poll-records");
    }

    @Test
    void aMalformedDurationIsAClearError() {
        assertThatThrownBy(() -> CompactorConfig.load(Map.of("SE_COMPACTOR_GC_GRACE", "ten minutes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ten minutes").hasMessageContaining("compactor.gc.grace")
                .hasMessageContaining("SE_COMPACTOR_GC_GRACE");
    }

    @Test
    void everyDocumentedVariableReachesItsSetting() {
        Map<String, String> env = new HashMap<>();
        env.putAll(Map.of("SE_WAL_TOPIC", "wal-2", "SE_COMPACTOR_GROUP", "g2", "SE_CATALOG_USER", "u",
                "SE_CATALOG_PASSWORD", "p", "SE_CATALOG_POOL_SIZE", "9", "SE_SEGMENT_STORE", "catalog",
                "SE_COMPACTOR_WORKER_ID", "w-1", "SE_COMPACTOR_L0_SEGMENT_BYTES", "1048576",
                "SE_COMPACTOR_MEMORY_BUDGET_BYTES", "64MiB", "SE_COMPACTOR_L0_TRIGGER_BYTES", "1GiB"));
        env.putAll(Map.of("SE_COMPACTOR_L1_TARGET_BYTES", "32MiB", "SE_COMPACTOR_IMAGE_CHAIN_THRESHOLD", "8",
                "SE_COMPACTOR_RETENTION_LSN_BYTES", "2GiB", "SE_COMPACTOR_L1_MERGE_TRIGGER", "6",
                "SE_COMPACTOR_IDLE_POLL", "200ms", "SE_COMPACTOR_LEASE_TTL", "4s", "SE_COMPACTOR_GC_INTERVAL", "1s",
                "SE_COMPACTOR_GC_GRACE", "PT2S"));
        CompactorConfig c = CompactorConfig.load(env);
        assertThat(c.topic()).isEqualTo("wal-2");
        assertThat(c.consumerGroup()).isEqualTo("g2");
        assertThat(c.catalog().user()).isEqualTo("u");
        assertThat(c.catalog().maxPoolSize()).isEqualTo(9);
        assertThat(c.segmentStore()).isEqualTo("catalog");
        assertThat(c.workerId()).isEqualTo("w-1");
        assertThat(c.l0SegmentBytes()).isEqualTo(1 << 20);
        assertThat(c.memoryBudgetBytes()).isEqualTo(64L << 20);
        assertThat(c.policy().l0TriggerBytes()).isEqualTo(1L << 30);
        assertThat(c.policy().l1TargetBytes()).isEqualTo(32L << 20);
        assertThat(c.policy().imageChainThreshold()).isEqualTo(8);
        assertThat(c.policy().retentionLsnBytes()).isEqualTo(2L << 30);
        assertThat(c.policy().l1MergeTrigger()).isEqualTo(6);
        assertThat(c.idlePoll()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.gcInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.gcGrace()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theSegmentStoreNamesOfBothServicesAreAccepted() {
        assertThat(CompactorConfig.load(Map.of("SE_SEGMENT_STORE", "directory")).segmentStore()).isEqualTo("dir");
        assertThatThrownBy(() -> CompactorConfig.load(Map.of("SE_SEGMENT_STORE", "s3")))
                .hasMessageContaining("segment.store");
        assertThatThrownBy(() -> CompactorConfig.load(Map.of("SE_COMPACTOR_L0_SEGMENT_BYTES", "1KiB")))
                .hasMessageContaining("compactor.l0.segment-bytes");
    }
}
