package io.storageengine.ingest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.runtime.admin.AdminServer;
import io.storageengine.runtime.admin.AdminSocket;
import io.storageengine.runtime.admin.Health;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The ingest meters as the admin server that {@code publish --metrics-port} starts serves them. */
class IngestMetricsEndpointTest {

    @Test
    void thePrometheusEndpointServesTheIngestMeters() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DecodeSummary totals = new DecodeSummary(10, 5000, 9, 2, 77, 1, 3, 0x1234, 0, null);
        IngestMetrics m = new IngestMetrics(registry, "t1", "l1", () -> totals);
        System.gc(); // the meters must survive a collection
        m.published(1, 8230);
        m.published(2, 100);
        m.published(4, 70);
        m.acked(System.nanoTime() - 2_000_000);
        m.committed(true, 0x1234);
        try (AdminServer endpoint = AdminServer.start(new AdminSocket("127.0.0.1", 0, 16384), registry, Health.up())) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body())
                    .contains("se_ingest_records_total{tenant=\"t1\",timeline=\"l1\",type=\"page_image\"} 1.0")
                    .contains("se_ingest_records_total{tenant=\"t1\",timeline=\"l1\",type=\"pg_record\"} 1.0")
                    .contains("se_ingest_bytes_total{tenant=\"t1\",timeline=\"l1\"} 8400.0")
                    .contains("se_ingest_corrupt_frames_total{tenant=\"t1\",timeline=\"l1\"} 2.0")
                    .contains("se_ingest_skipped_bytes_total{tenant=\"t1\",timeline=\"l1\"} 77.0")
                    .contains("se_ingest_last_published_lsn{tenant=\"t1\",timeline=\"l1\"} 4660.0")
                    .contains("se_ingest_publish_latency_seconds_count{tenant=\"t1\",timeline=\"l1\"} 1");
        }
        assertThat(m.publishLatency().count()).isEqualTo(1); // keeps m (the meters' state) reachable until here
    }

    @Test
    void onlyPageRecordTypesArePublished() {
        IngestMetrics m = new IngestMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "t", "l",
                () -> new DecodeSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, null));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.published(0x10, 21))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.published(0x42, 21))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
