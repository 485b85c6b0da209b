package io.storageengine.pageservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.streams.StreamsSettings;
import io.storageengine.pageservice.topology.PartitionMarks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void readyOnlyWhenEveryActivePartitionLagIsKnownAndSmall() {
        var active0 = new Ownership.PartitionStatus(0, PartitionMarks.Role.ACTIVE, 100, 0);
        var active1 = new Ownership.PartitionStatus(1, PartitionMarks.Role.ACTIVE, 100, 1000);
        var standbyFarBehind = new Ownership.PartitionStatus(2, PartitionMarks.Role.STANDBY, 5, 1_000_000);
        assertThat(Main.caughtUp(List.of(active0, active1, standbyFarBehind), 1000)).isTrue();
        assertThat(Main.caughtUp(List.of(active0, new Ownership.PartitionStatus(1, PartitionMarks.Role.ACTIVE, 0, 1001)),
                1000)).isFalse();
        assertThat(Main.caughtUp(List.of(new Ownership.PartitionStatus(1, PartitionMarks.Role.ACTIVE, 0, -1)), 1000))
                .isFalse();
    }

    @Test
    void configBecomesStreamsSettings() {
        PageServiceConfig c = PageServiceConfig.load(Map.of("SE_KAFKA_BOOTSTRAP", "k:1",
                "SE_ADVERTISED_HOST", "node-1", "SE_HTTP_PORT", "8081", "SE_STATE_DIR", "/tmp/x",
                "SE_WAIT_TIMEOUT", "2s", "SE_ROCKSDB_MEMORY_MB", "64", "SE_KAFKA_PROPERTIES", "a=b"));
        StreamsSettings s = Main.streamsSettings(c);
        assertThat(s.bootstrapServers()).isEqualTo("k:1");
        assertThat(s.applicationServer()).isEqualTo("node-1:8081");
        assertThat(s.stateDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(c.read().waitTimeout()).as("the read path's, not the streams engine's").isEqualTo(Duration.ofSeconds(2));
        assertThat(s.rocksDbMemoryBytes()).isEqualTo(64L << 20);
        assertThat(s.walTopic()).isEqualTo("wal");
        assertThat(s.extraProperties()).containsEntry("a", "b");
    }
}
