package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static io.storageengine.pageservice.http.TestServer.TIMELINE_HEX;
import static io.storageengine.pageservice.http.TestServer.pagePath;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PageRoutesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static PageRequest lastRequest() {
        return server.reader.requests.getLast();
    }

    @Test
    void pageWithoutAcceptIsTheRawPageWithLsnHeaders() {
        HttpResponse<byte[]> r = server.get(pagePath(7) + "?lsn=0/16B3748");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(r.body()).isEqualTo(FakeReader.pageFor(7));
        assertThat(r.headers().firstValue("Page-Lsn")).hasValue("0/100");
        assertThat(r.headers().firstValue("Request-Lsn")).hasValue("0/16B3748");
        PageRequest req = lastRequest();
        assertThat(req.page()).isEqualTo(new PageRef(1663, 5, 16384, 0, 7));
        assertThat(req.timeline().timeline().toString()).isEqualTo(TIMELINE_HEX);
        assertThat(req.lsn()).isEqualTo(Lsn.parse("0/16B3748"));
        assertThat(req.notModifiedSince()).isNull();
    }

    @Test
    void reconstructionDeadlineIsAbout100msAfterArrival() {
        long before = System.nanoTime();
        server.get(pagePath(8));
        long after = System.nanoTime();
        long deadline = lastRequest().deadlineNanos();
        assertThat(deadline - before).isLessThanOrEqualTo(100_000_000L + (after - before));
        assertThat(deadline - after).isGreaterThanOrEqualTo(100_000_000L - (after - before));
    }

    @Test
    void octetStreamAcceptAndNoLsnReadsAsOfNewest() {
        HttpResponse<byte[]> r = server.get(pagePath(9), "Accept", "application/octet-stream");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(8192);
        assertThat(r.headers().firstValue("Request-Lsn")).hasValue("0/200");
        assertThat(lastRequest().lsn()).isNull();
    }

    @Test
    void jsonAcceptGivesTheDocumentOfTheSpec() throws IOException {
        HttpResponse<byte[]> r = server.get(pagePath(3) + "?lsn=4096&fork=vm", "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode n = json(r);
        assertThat(n.get("tenant_id").asText()).isEqualTo(TENANT);
        assertThat(n.get("timeline_id").asText()).isEqualTo(TIMELINE_HEX);
        assertThat(n.get("spc").asLong()).isEqualTo(1663);
        assertThat(n.get("db").asLong()).isEqualTo(5);
        assertThat(n.get("rel").asLong()).isEqualTo(16384);
        assertThat(n.get("fork").asText()).isEqualTo("vm");
        assertThat(n.get("block").asLong()).isEqualTo(3);
        assertThat(n.get("request_lsn").asText()).isEqualTo("0/1000");
        assertThat(n.get("page_lsn").asText()).isEqualTo("0/100");
        assertThat(Base64.getDecoder().decode(n.get("data").asText())).isEqualTo(FakeReader.pageFor(3));
        assertThat(Instant.parse(n.get("retrieved_at").asText())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void seedFormDefaultsTablespaceDatabaseAndFork() {
        HttpResponse<byte[]> r = server.get("/v1/pages/16384/11?tenant_id=" + TENANT + "&timeline_id=" + TIMELINE
                + "&lsn=0/500");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(FakeReader.pageFor(11));
        assertThat(lastRequest().page()).isEqualTo(new PageRef(1663, 0, 16384, Fork.MAIN.number(), 11));
        assertThat(lastRequest().lsn()).isEqualTo(Lsn.parse("0/500"));
    }

    @Test
    void seedFormTakesSpcDbForkNumberAndNotModifiedSince() {
        HttpResponse<byte[]> r = server.get("/v1/pages/16384/12?tenant_id=" + TENANT + "&timeline_id=" + TIMELINE_HEX
                + "&lsn=0/500&spc=1664&db=7&fork=1&not_modified_since=0/400");
        assertThat(r.statusCode()).isEqualTo(200);
        PageRequest req = lastRequest();
        assertThat(req.page()).isEqualTo(new PageRef(1664, 7, 16384, 1, 12));
        assertThat(req.notModifiedSince()).isEqualTo(Lsn.parse("0/400"));
    }

    @Test
    void largestUnsignedNumbersAreAccepted() {
        HttpResponse<byte[]> r = server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE
                + "/pages/4294967295/4294967295/4294967295/17");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(lastRequest().page().rel()).isEqualTo(4294967295L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v1/tenants/xyz/timelines/" + TIMELINE + "/pages/1663/5/16384/1|tenant",
        "/v1/tenants/" + TENANT + "/timelines/123/pages/1663/5/16384/1|timeline",
        "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/1?lsn=0/XYZ|lsn",
        "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/1?lsn=-5|lsn",
        "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/1?fork=heap|fork",
        "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/1?fork=4|fork",
        "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/abc/1|rel",
        "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/4294967296|block",
        "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/1?lsn=0/10&not_modified_since=0/20|not_modified_since",
        "/v1/pages/16384/1?timeline_id=" + TIMELINE + "|tenant",
        "/v1/pages/16384/1?tenant_id=" + TENANT + "|timeline",
        "/v1/pages/16384/1?tenant_id=" + TENANT + "&timeline_id=" + TIMELINE + "&spc=-1|spc",
    })
    void malformedInputIs400Problem(String path, String mentioned) throws IOException {
        int before = server.reader.requests.size();
        HttpResponse<byte[]> r = server.get(path);
        assertProblem(r, 400, "bad-request");
        assertThat(json(r).get("detail").asText()).contains(mentioned);
        assertThat(server.reader.requests).hasSize(before);
    }

    @ParameterizedTest
    @CsvSource({
        "404, 404, page-not-found",
        "405, 404, timeline-not-found",
        "410, 410, below-gc-horizon",
        "503, 503, not-ready",
        "504, 504, wal-wait-timeout",
        "599, 503, deadline-exceeded",
        "500, 500, internal-error",
        "501, 501, redo-unsupported",
        "502, 500, redo-failed",
    })
    void readerOutcomesMapToTheStatusTable(int block, int status, String slug) throws IOException {
        HttpResponse<byte[]> r = server.get(pagePath(block) + "?lsn=0/190");
        assertProblem(r, status, slug);
    }

    @Test
    void problemsCarryTheirExtraMembers() throws IOException {
        JsonNode gone = json(server.get(pagePath(410)));
        assertThat(gone.get("gc_horizon").asText()).isEqualTo("0/50");
        assertThat(gone.get("detail").asText()).isNotBlank();
        HttpResponse<byte[]> timeout = server.get(pagePath(504) + "?lsn=0/300");
        assertThat(json(timeout).get("last_applied_lsn").asText()).isEqualTo("0/180");
        HttpResponse<byte[]> unavailable = server.get(pagePath(503));
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(json(server.get(pagePath(404))).get("detail").asText()).contains("no record");
    }

    @Test
    void redoProblemsNameRmgrInfoPageAndLsnAndAreCountedByKind() throws IOException {
        JsonNode unsupported = json(server.get(pagePath(501)));
        assertThat(unsupported.get("status").asInt()).isEqualTo(501);
        assertThat(unsupported.get("detail").asText()).contains("Heap (10)", "info 0x20", "1/40");
        assertThat(unsupported.get("rmgr").asText()).isEqualTo("10");
        assertThat(unsupported.get("info").asText()).isEqualTo("32");
        assertThat(unsupported.get("lsn").asText()).isEqualTo("1/40");
        JsonNode failed = json(server.get(pagePath(502)));
        assertThat(failed.get("detail").asText()).contains("1/50", "#502").contains("item offset");
        assertThat(failed.get("lsn").asText()).isEqualTo("1/50");
        // the counters move after the response is written: poll the metrics briefly
        String metrics = "";
        for (int i = 0; i < 100 && !(metrics.contains("se_page_redo_failures_total{kind=\"unsupported\"}")
                && metrics.contains("se_page_redo_failures_total{kind=\"failed\"}")); i++) {
            if (i > 0) {
                sleep(20);
            }
            metrics = new String(server.getAdmin("/metrics").body());
        }
        assertThat(metrics).contains("se_page_redo_failures_total{kind=\"unsupported\"}")
                .contains("se_page_redo_failures_total{kind=\"failed\"}");
    }

    @Test
    void timelineStatusIsJson() throws IOException {
        HttpResponse<byte[]> r = server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = json(r);
        assertThat(n.get("tenant_id").asText()).isEqualTo(TENANT);
        assertThat(n.get("timeline_id").asText()).isEqualTo(TIMELINE_HEX);
        assertThat(n.get("last_applied_lsn").asText()).isEqualTo("0/200");
        assertThat(n.get("durable_lsn").asText()).isEqualTo("0/150");
        assertThat(n.get("gc_horizon").asText()).isEqualTo("0/50");
    }

    @Test
    void unknownTimelineStatusIs404AndMalformedIs400() throws IOException {
        assertProblem(server.get("/v1/tenants/" + TENANT + "/timelines/00000000000000000000000000000405"),
                404, "timeline-not-found");
        assertProblem(server.get("/v1/tenants/" + TENANT + "/timelines/nope"), 400, "bad-request");
    }

    @Test
    void healthIs200WhenReadyAnd503WithRetryAfterWhenNot() throws IOException {
        HttpResponse<byte[]> up = server.get("/health");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(json(up).get("ready").asBoolean()).isTrue();
        server.ready.set(false);
        try {
            HttpResponse<byte[]> down = server.getAdmin("/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(down).get("live").asBoolean()).isTrue();
            assertThat(json(down).get("ready").asBoolean()).isFalse();
            assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
        } finally {
            server.ready.set(true);
        }
    }

    @Test
    void metricsAreOnTheAdminPortOnlyWithSubMillisecondBuckets() {
        server.get(pagePath(1));
        server.get(pagePath(404));
        HttpResponse<byte[]> r = server.getAdmin("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        String text = new String(r.body());
        assertThat(text).contains("se_http_requests_seconds_bucket{route=\"page\",status=\"200\",le=\"1.0E-5\"}")
                .contains("se_http_requests_seconds_count{route=\"page\",status=\"200\"}")
                .contains("se_circuit_breaker_state")
                .contains("se_http_problems_total{route=\"page\",type=\"page-not-found\"}")
                .contains("se_rate_limit_rejections_total")
                .contains("jvm_memory_used_bytes")
                .contains("se_ready 1.0");
        assertThat(server.get("/metrics").statusCode()).isEqualTo(404);
    }

    @Test
    void openapiDescribesEveryRoute() {
        HttpResponse<byte[]> r = server.get("/openapi");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body())).contains("/v1/tenants/{tenant}/timelines/{timeline}/pages/{spc}/{db}/{rel}/{block}",
                "/v1/pages/{rel}/{block}", "/v1/tenants/{tenant}/timelines/{timeline}/pages/batch",
                "/v1/tenants/{tenant}/timelines/{timeline}:", "/health:", "/metrics:", "/v1/noop:");
    }

    @Test
    void noopIsAConstantPageSizedBody() {
        HttpResponse<byte[]> r = server.get("/v1/noop");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(new byte[8192]);
    }

    @Test
    void unknownRouteIs404Problem() throws IOException {
        assertProblem(server.get("/v2/whatever"), 404, "no-such-route");
    }

    @Test
    void requestsHelidonRejectsBeforeRoutingAreProblemsToo() throws IOException {
        for (String raw : List.of("GET /v1/noop HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                "GET /v1/no op HTTP/1.1\r\nHost: x\r\n\r\n")) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(s.getInputStream().readNBytes(2000), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 400").containsIgnoringCase("content-type: application/problem+json")
                        .contains("\"status\":400");
            }
        }
    }

    static void assertProblem(HttpResponse<byte[]> r, int status, String slug) throws IOException {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode n = json(r);
        assertThat(n.get("status").asInt()).isEqualTo(status);
        assertThat(n.get("type").asText()).endsWith("/" + slug);
        assertThat(n.get("title").asText()).isNotBlank();
        assertThat(n.has("detail")).isTrue();
        if (status == 503 || status == 429) {
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
