package io.storageengine.pageservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.storageengine.pageservice.Main;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.relations.RelationHistory;
import io.storageengine.pageservice.relations.RelationReader;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relation route on a real server (as Main wires it) over an in-memory relation history. */
class RelationRoutesTest {
    private static final TimelineKey TL = TimelineKey.of(TestServer.TENANT, TestServer.TIMELINE_HEX);
    private static final String BASE = "/v1/tenants/" + TestServer.TENANT + "/timelines/" + TestServer.TIMELINE
            + "/relations/1663/5/16384";

    private final RelationHistory history = new RelationHistory();
    private volatile Lsn horizon = Lsn.ZERO;
    private static final TestTokens TOKENS = new TestTokens();
    private static final String TOKEN = TOKENS.tenant(TestServer.TENANT);
    private TestServer base;
    private WebServer server;

    @BeforeEach
    void start() {
        // TestServer's configuration and services; a second server with the relation route added
        base = new TestServer(TOKENS.env());
        server = Main.start(base.config.http(), base.services, new RelationService(base.services,
                new RelationReader(history, t -> horizon, Duration.ofMillis(100))));
    }

    @AfterEach
    void stop() {
        server.stop();
        base.close();
    }

    @Test
    void answersExistsAndBlocksAsOfTheLsn() throws Exception {
        load();
        JsonNode n = json(get(BASE + "?lsn=0/150"), 200);
        assertThat(n.get("exists").asBoolean()).isTrue();
        assertThat(n.get("nblocks").asLong()).isEqualTo(7);
        assertThat(n.get("request_lsn").asText()).isEqualTo("0/150");
        JsonNode vm = json(get(BASE + "?lsn=336&fork=vm"), 200);
        assertThat(vm.get("exists").asBoolean()).isTrue();
        assertThat(vm.get("nblocks").asLong()).isEqualTo(1);
        JsonNode before = json(get(BASE + "?lsn=0/FF"), 200);
        assertThat(before.get("exists").asBoolean()).isFalse();
        assertThat(before.get("nblocks").asLong()).isZero();
        JsonNode latest = json(get(BASE), 200);
        assertThat(latest.get("request_lsn").asText()).isEqualTo("0/200");
        JsonNode never = json(get("/v1/tenants/" + TestServer.TENANT + "/timelines/" + TestServer.TIMELINE
                + "/relations/1663/5/99999?lsn=0/150&fork=main"), 200);
        assertThat(never.get("exists").asBoolean()).isFalse();
        JsonNode nms = json(get(BASE + "?lsn=0/900&not_modified_since=0/180"), 200);
        assertThat(nms.get("nblocks").asLong()).isEqualTo(7);
        assertThat(nms.get("request_lsn").asText()).isEqualTo("0/900");
    }

    @Test
    void openapiDescribesTheRoute() throws Exception {
        HttpResponse<byte[]> r = get("/openapi");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body())).contains("/v1/tenants/{tenant}/timelines/{timeline}/relations/{spc}/{db}/{rel}:",
                "RelationSize:");
    }

    @Test
    void errorsAreProblemsLikeThePageRoutes() throws Exception {
        assertProblem(get(BASE + "?lsn=0/150"), 503, "not-ready");
        load();
        assertProblem(get(BASE + "?lsn=zz"), 400, "bad-request");
        assertProblem(get(BASE + "?fork=heap"), 400, "bad-request");
        assertProblem(get("/v1/tenants/" + TestServer.TENANT + "/timelines/" + TestServer.TIMELINE
                + "/relations/1663/5/4294967296"), 400, "bad-request");
        assertProblem(get(BASE + "?lsn=0/100&not_modified_since=0/200"), 400, "bad-request");
        assertProblem(get("/v1/tenants/" + TestServer.TENANT + "/timelines/00000000000000000000000000000009"
                + "/relations/1663/5/16384"), 404, "timeline-not-found");
        HttpResponse<byte[]> late = get(BASE + "?lsn=0/900");
        assertProblem(late, 504, "wal-wait-timeout");
        assertThat(Json.MAPPER.readTree(late.body()).get("last_applied_lsn").asText()).isEqualTo("0/200");
        horizon = Lsn.of(0x160);
        assertProblem(get(BASE + "?lsn=0/150"), 410, "below-gc-horizon");
        HttpResponse<byte[]> anon = TestServer.CLIENT.send(HttpRequest.newBuilder(uri(BASE)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertProblem(anon, 401, "unauthorized");
    }

    private void load() {
        RelFork main = RelFork.of(1663, 5, 16384, Fork.MAIN);
        history.partitions(1);
        history.apply(0, TL, main, new RelationRecord.Size(0x100, 7, true));
        history.apply(0, TL, main.withFork(2), new RelationRecord.Size(0x140, 1, true));
        history.apply(0, TL, null, new RelationRecord.Watermark(0x200));
        history.loaded();
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return TestServer.CLIENT.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static JsonNode json(HttpResponse<byte[]> r, int status) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        return Json.MAPPER.readTree(r.body());
    }

    private static void assertProblem(HttpResponse<byte[]> r, int status, String slug) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(Json.MAPPER.readTree(r.body()).get("type").asText()).endsWith(slug);
    }
}
