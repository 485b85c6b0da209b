package io.storageengine.compactor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storageengine.compactor.l0.MemoryBudget;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compactor meters monitoring/alerts.yml watches, as Prometheus spells them:
 * compactor_l0_backlog_segments, compactor_job_failures_total{kind,outcome} and
 * compactor_lease_lost_total{reason} and compactor_segment_write_failures_total (present at 0 from
 * the start, so the first loss or failure is an increase).
 */
class WorkerMetricsTest {

    @Test
    void theScrapeHasEveryNameTheAlertRulesUse() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerMetrics m = new WorkerMetrics(registry, new MemoryBudget(1 << 20), Map.of());
        assertThat(registry.scrape()).contains("compactor_lease_lost_total{reason=\"renew\"} 0.0")
                .contains("compactor_lease_lost_total{reason=\"fenced\"} 0.0")
                .contains("compactor_lease_lost_total{reason=\"l0\"} 0.0")
                .contains("compactor_segment_write_failures_total 0.0");
        m.segmentWriteFailed();
        m.l0Backlog(0, 5);
        m.l0Backlog(1, 7);
        m.jobStarted();
        m.jobEnded("merge", "failed", Duration.ofMillis(3), 10, 0);
        m.leaseLost("renew");
        m.leaseLost("renew");
        m.leaseLost("fenced");
        assertThat(registry.scrape())
                .contains("compactor_l0_backlog_segments 12.0")
                .contains("compactor_job_failures_total{kind=\"merge\",outcome=\"failed\"} 1.0")
                .contains("compactor_lease_lost_total{reason=\"renew\"} 2.0")
                .contains("compactor_lease_lost_total{reason=\"fenced\"} 1.0")
                .contains("compactor_segment_write_failures_total 1.0");
    }
}
