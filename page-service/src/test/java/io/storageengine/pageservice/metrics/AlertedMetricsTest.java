package io.storageengine.pageservice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The page service's meters that monitoring/alerts.yml watches, as Prometheus spells them in a
 * scrape (suffixes included): se_ready, se_partition_lag, se_circuit_breaker_state,
 * se_http_requests_seconds_count, se_http_problems_total{type="wal-wait-timeout"}, disk_free_bytes
 * and disk_total_bytes (the DiskSpaceMetrics Main binds to the state and segment directories).
 */
class AlertedMetricsTest {

    @Test
    void theScrapeHasEveryNameTheAlertRulesUse() {
        PageMetrics m = new PageMetrics();
        m.readiness(() -> false);
        m.breakerState(() -> 2);
        m.partitionStats(new PartitionStats() {
            @Override
            public List<Partition> partitions() {
                return List.of(new Partition(3, "active", 0x100, 12_345));
            }

            @Override
            public long storeBytes() {
                return 0;
            }
        });
        m.record("page", 503, 1_000);
        m.problem("page", "wal-wait-timeout");
        new DiskSpaceMetrics(new File(".")).bindTo(m.registry());
        String scrape = m.scrape();
        assertThat(scrape)
                .contains("se_ready 0.0")
                .contains("se_circuit_breaker_state 2.0")
                .contains("se_partition_lag{partition=\"3\",role=\"active\"} 12345.0")
                .contains("se_http_requests_seconds_count{route=\"page\",status=\"503\"} 1")
                .contains("se_http_problems_total{route=\"page\",type=\"wal-wait-timeout\"} 1.0")
                .containsPattern("(?m)^disk_free_bytes\\{path=\"[^\"]+\"\\} \\d")
                .containsPattern("(?m)^disk_total_bytes\\{path=\"[^\"]+\"\\} \\d");
    }
}
