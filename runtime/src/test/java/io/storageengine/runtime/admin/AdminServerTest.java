package io.storageengine.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static HttpResponse<String> get(int port, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsServesThePrometheusText() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("se.test.events", "kind", "a").increment(3);
        try (AdminServer admin = AdminServer.start(new AdminSocket("127.0.0.1", 0, 16384), registry, Health.up())) {
            HttpResponse<String> r = get(admin.port(), "/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).contains(MetricsEndpoint.CONTENT_TYPE);
            assertThat(r.body()).contains("se_test_events_total{kind=\"a\"} 3.0");
            assertThat(get(admin.port(), "/nothing").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void healthFollowsTheCheckWithDetails() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicBoolean healthy = new AtomicBoolean(true);
        Health.Check check = Health.of(healthy::get,
                () -> Map.of("worker", "w1", "leasedPartitions", List.of(1, 2), "status", "ignored"));
        try (AdminServer admin = AdminServer.start(new AdminSocket("127.0.0.1", 0, 16384), registry, check)) {
            HttpResponse<String> up = get(admin.port(), "/health");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.headers().firstValue("content-type")).contains("application/json");
            assertThat(up.body()).startsWith("{\"status\":\"UP\",\"live\":true,\"ready\":true,")
                    .contains("\"worker\":\"w1\"").contains("\"leasedPartitions\":[1,2]").doesNotContain("ignored");
            assertThat(get(admin.port(), "/health/live").body()).isEqualTo("{\"status\":\"UP\",\"live\":true}");

            healthy.set(false);
            HttpResponse<String> down = get(admin.port(), "/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("retry-after")).contains("1");
            assertThat(down.body()).startsWith("{\"status\":\"DOWN\",\"live\":false,\"ready\":false");
            HttpResponse<String> dead = get(admin.port(), "/health/live");
            assertThat(dead.statusCode()).isEqualTo(503);
            assertThat(dead.body()).isEqualTo("{\"status\":\"DOWN\",\"live\":false}");
        }
    }

    @Test
    void extraDetailsAreAddedAndAFailingOneIsShownAsItsError() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        java.util.concurrent.atomic.AtomicReference<Object> pools = new java.util.concurrent.atomic.AtomicReference<>(
                Map.of("pools", Map.of("primary", Map.of("state", "UP", "score", 1.0))));
        Health.Check check = Health.up().withDetail("catalog", () -> {
            Object p = pools.get();
            if (p == null) {
                throw new IllegalStateException("catalog closed");
            }
            return p;
        }).withDetail("absent", () -> null);
        try (AdminServer admin = AdminServer.start(new AdminSocket("127.0.0.1", 0, 16384), registry, check)) {
            String body = get(admin.port(), "/health").body();
            assertThat(body).contains("\"catalog\":{\"pools\":{\"primary\":{").contains("\"state\":\"UP\"")
                    .doesNotContain("absent");
            pools.set(null);
            HttpResponse<String> failing = get(admin.port(), "/health");
            assertThat(failing.statusCode()).isEqualTo(200);
            assertThat(failing.body()).contains("\"catalog\":{\"error\":\"catalog closed\"}");
        }
    }

    @Test
    void notReadyIsStillLive() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (AdminServer admin = AdminServer.start(new AdminSocket("127.0.0.1", 0, 16384), registry,
                Health.readiness(() -> false))) {
            HttpResponse<String> r = get(admin.port(), "/health");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("{\"status\":\"DOWN\",\"live\":true,\"ready\":false}");
            assertThat(get(admin.port(), "/health/live").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theHealthHandlersCanBeWrapped() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        HealthEndpoint health = new HealthEndpoint(Health.up(), (route, h) -> (req, res) -> {
            calls.add(route + " " + req.path().path());
            h.handle(req, res);
        });
        try (AdminServer admin = AdminServer.start(new AdminSocket("127.0.0.1", 0, 16384),
                new MetricsEndpoint(() -> "# scraped\n"), health)) {
            assertThat(get(admin.port(), "/health").statusCode()).isEqualTo(200);
            assertThat(get(admin.port(), "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(admin.port(), "/metrics").body()).isEqualTo("# scraped\n");
        }
        assertThat(calls).containsExactly("health /health", "health /health/live");
    }

    @Test
    void theSocketRefusesBadSettings() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdminSocket.onPort(70000)).hasMessageContaining("70000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AdminSocket("0.0.0.0", 0, 100))
                .hasMessageContaining("4096");
    }
}
