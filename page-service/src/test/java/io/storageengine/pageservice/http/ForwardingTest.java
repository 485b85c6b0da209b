package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.PageRoutesTest.assertProblem;
import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static io.storageengine.pageservice.http.TestServer.pagePath;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.storageengine.pageservice.http.internal.BatchCodec;
import io.storageengine.pageservice.ownership.Ownership;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ForwardingTest {
    TestServer a;
    TestServer b;

    @BeforeEach
    void start() {
        a = new TestServer();
        b = new TestServer();
        a.ownership = key -> new Ownership.Remote(0, "127.0.0.1", b.port());
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void pageOwnedByAnotherInstanceIsForwardedAndRelayedUnchanged() {
        HttpResponse<byte[]> direct = b.get(pagePath(5) + "?lsn=0/777");
        HttpResponse<byte[]> viaA = a.get(pagePath(5) + "?lsn=0/777");
        assertThat(viaA.statusCode()).isEqualTo(200);
        assertThat(viaA.body()).isEqualTo(direct.body()).isEqualTo(FakeReader.pageFor(5));
        for (String h : List.of("Content-Type", "Page-Lsn", "Request-Lsn")) {
            assertThat(viaA.headers().firstValue(h)).isEqualTo(direct.headers().firstValue(h));
        }
        assertThat(a.reader.requests).isEmpty();
        assertThat(b.reader.requests).hasSize(2);
        assertThat(new String(a.getAdmin("/metrics").body())).contains("se_forwarded_requests_total 1.0");
    }

    @Test
    void jsonAndErrorsAreRelayedToo() throws IOException {
        HttpResponse<byte[]> json = a.get(pagePath(6), "Accept", "application/json");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(json.body()).get("block").asInt()).isEqualTo(6);
        assertProblem(a.get(pagePath(404)), 404, "page-not-found");
        HttpResponse<byte[]> unavailable = a.get(pagePath(503));
        assertProblem(unavailable, 503, "not-ready");
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("2");
    }

    @Test
    void forwardedRequestIsNotForwardedAgain() throws IOException {
        b.ownership = key -> new Ownership.Remote(0, "127.0.0.1", a.port());
        HttpResponse<byte[]> r = a.get(pagePath(1));
        assertProblem(r, 503, "ownership-moving");
        assertThat(a.reader.requests).isEmpty();
        assertThat(b.reader.requests).isEmpty();
    }

    @Test
    void unreachableOwnerIs503WithRetryAfter() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        a.ownership = key -> new Ownership.Remote(0, "127.0.0.1", closed);
        assertProblem(a.get(pagePath(1)), 503, "owner-unreachable");
        assertThat(new String(a.getAdmin("/metrics").body())).contains("se_forward_failures_total 1.0");
    }

    @Test
    void unavailableOwnershipIs503WithItsRetryAfter() throws IOException {
        a.ownership = key -> new Ownership.Unavailable(7, Duration.ofSeconds(3), "partition 7 is rebalancing");
        HttpResponse<byte[]> r = a.get(pagePath(1));
        assertProblem(r, 503, "partition-unavailable");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(new ObjectMapper().readTree(r.body()).get("detail").asText()).contains("rebalancing");
    }

    @Test
    void batchSplitsByOwnerAndMergesInRequestOrder() {
        a.ownership = key -> key.page().block() % 2 == 0
                ? TestServer.LOCAL : new Ownership.Remote(0, "127.0.0.1", b.port());
        HttpResponse<byte[]> r = a.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                BatchRoutesTest.body("0/300", 1, 2, 3, 404, 4));
        assertThat(r.statusCode()).isEqualTo(200);
        List<BatchCodec.Entry> entries = BatchCodec.decode(r.body());
        assertThat(entries).extracting(BatchCodec.Entry::status).containsExactly(200, 200, 200, 404, 200);
        int[] blocks = {1, 2, 3, 404, 4};
        for (int i : new int[] {0, 1, 2, 4}) {
            assertThat(entries.get(i).body()).isEqualTo(FakeReader.pageFor(blocks[i]));
        }
        assertThat(a.reader.requests).extracting(q -> q.page().block()).containsExactlyInAnyOrder(2L, 404L, 4L);
        assertThat(b.reader.requests).extracting(q -> q.page().block()).containsExactlyInAnyOrder(1L, 3L);
    }

    @Test
    void batchPagesOfDifferentPartitionsOnOneOwnerGoInOneForwardedRequest() {
        a.ownership = key -> new Ownership.Remote((int) key.page().block() % 4, "127.0.0.1", b.port());
        HttpResponse<byte[]> r = a.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                BatchRoutesTest.body("0/300", 1, 2, 3, 4));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(BatchCodec.decode(r.body())).extracting(BatchCodec.Entry::status).containsExactly(200, 200, 200, 200);
        assertThat(b.reader.requests).extracting(q -> q.page().block()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        assertThat(new String(a.getAdmin("/metrics").body())).contains("se_forwarded_requests_total 1.0");
    }

    @Test
    void batchPagesOfAnUnreachableOwnerAre503Entries() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        a.ownership = key -> key.page().block() == 1
                ? new Ownership.Remote(0, "127.0.0.1", closed) : TestServer.LOCAL;
        HttpResponse<byte[]> r = a.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                BatchRoutesTest.body("0/300", 1, 2));
        List<BatchCodec.Entry> entries = BatchCodec.decode(r.body());
        assertThat(entries).extracting(BatchCodec.Entry::status).containsExactly(503, 200);
        assertThat(new ObjectMapper().readTree(entries.get(0).body()).get("type").asText()).endsWith("owner-unreachable");
    }
}
