package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.PageRoutesTest.assertProblem;
import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static io.storageengine.pageservice.http.TestServer.pagePath;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResilienceTest {
    static final String OTHER_TENANT = "22222222222222222222222222222222";

    @Test
    void tenantOverItsRateLimitGets429WithRetryAfterWhileOthersRead() throws IOException {
        try (TestServer server = new TestServer(Map.of("SE_RATE_LIMIT_TENANTS", TENANT + "=1"))) {
            assertThat(server.get(pagePath(1)).statusCode()).isEqualTo(200);
            HttpResponse<byte[]> limited = server.get(pagePath(1));
            assertProblem(limited, 429, "rate-limited");
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
            assertProblem(server.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                    BatchRoutesTest.body("0/1", 1)), 429, "rate-limited");
            String other = "/v1/tenants/" + OTHER_TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/1";
            for (int i = 0; i < 5; i++) {
                assertThat(server.get(other).statusCode()).isEqualTo(200);
            }
            assertThat(new String(server.getAdmin("/metrics").body()))
                    .containsPattern("se_rate_limit_rejections_total [1-9]");
        }
    }

    @Test
    void breakerOpensAfterTenStoreFailuresThenRecoversThroughHalfOpenProbe() throws Exception {
        try (TestServer server = new TestServer(Map.of("SE_BREAKER_OPEN_DELAY", "300ms"))) {
            for (int i = 0; i < 10; i++) {
                assertThat(server.get(pagePath(500)).statusCode()).isEqualTo(500);
            }
            int readsBefore = server.reader.requests.size();
            HttpResponse<byte[]> open = server.get(pagePath(1));
            assertProblem(open, 503, "circuit-open");
            assertThat(open.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(server.reader.requests).hasSize(readsBefore);
            assertThat(new String(server.getAdmin("/metrics").body())).contains("se_circuit_breaker_state 2.0");

            Thread.sleep(400);
            assertThat(server.get(pagePath(1)).statusCode()).isEqualTo(200);
            assertThat(server.get(pagePath(2)).statusCode()).isEqualTo(200);
            assertThat(new String(server.getAdmin("/metrics").body())).contains("se_circuit_breaker_state 0.0");
        }
    }

    @Test
    void failedHalfOpenProbeReopensTheBreaker() throws Exception {
        try (TestServer server = new TestServer(Map.of("SE_BREAKER_OPEN_DELAY", "300ms"))) {
            server.reader.failing.set(true);
            for (int i = 0; i < 10; i++) {
                server.get(pagePath(1));
            }
            assertProblem(server.get(pagePath(1)), 503, "circuit-open");
            Thread.sleep(400);
            assertThat(server.get(pagePath(1)).statusCode()).isEqualTo(500);
            assertProblem(server.get(pagePath(1)), 503, "circuit-open");
        }
    }

    @Test
    void missedDeadlinesAre503PerRequestWithoutOpeningTheBreakerByDefault() throws IOException {
        try (TestServer server = new TestServer()) {
            for (int i = 0; i < 12; i++) {
                assertProblem(server.get(pagePath(599)), 503, "deadline-exceeded");
            }
            assertThat(server.get(pagePath(1)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void missedDeadlinesOpenTheBreakerWhenConfiguredTo() throws IOException {
        try (TestServer server = new TestServer(Map.of("SE_BREAKER_COUNT_DEADLINE_MISSES", "true"))) {
            for (int i = 0; i < 10; i++) {
                assertProblem(server.get(pagePath(599)), 503, "deadline-exceeded");
            }
            assertProblem(server.get(pagePath(1)), 503, "circuit-open");
        }
    }

    @Test
    void notFoundGoneAndWalTimeoutsDoNotOpenTheBreaker() {
        try (TestServer server = new TestServer()) {
            for (int i = 0; i < 12; i++) {
                assertThat(server.get(pagePath(404)).statusCode()).isEqualTo(404);
                assertThat(server.get(pagePath(410)).statusCode()).isEqualTo(410);
                assertThat(server.get(pagePath(504)).statusCode()).isEqualTo(504);
                assertThat(server.get(pagePath(1) + "?lsn=bad").statusCode()).isEqualTo(400);
            }
            assertThat(server.get(pagePath(1)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void fullBulkheadAnswers503() throws Exception {
        try (TestServer server = new TestServer(Map.of("SE_BULKHEAD_MAX_CONCURRENT", "1", "SE_BULKHEAD_MAX_WAIT", "10ms"))) {
            CompletableFuture<HttpResponse<byte[]>> slow = CompletableFuture.supplyAsync(() -> server.get(pagePath(700)));
            assertThat(server.reader.blocked.await(5, TimeUnit.SECONDS)).isTrue();
            assertProblem(server.get(pagePath(1)), 503, "overloaded");
            server.reader.gate.countDown();
            assertThat(slow.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(server.get(pagePath(1)).statusCode()).isEqualTo(200);
        }
    }
}
