package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.PageRoutesTest.assertProblem;
import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storageengine.pageservice.http.internal.BatchCodec;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchRoutesTest {
    static final String PATH = "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch";
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

    static String body(String lsn, int... blocks) {
        return "{\"lsn\":\"" + lsn + "\",\"pages\":["
                + IntStream.of(blocks).mapToObj(b -> "{\"rel\":16384,\"block\":" + b + "}").collect(Collectors.joining(","))
                + "]}";
    }

    @Test
    void binaryBatchAnswersEveryPageInRequestOrderWithItsOwnStatus() throws IOException {
        HttpResponse<byte[]> r = server.post(PATH, body("0/300", 1, 404, 2, 504));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(r.headers().firstValue("Request-Lsn")).hasValue("0/300");
        List<BatchCodec.Entry> entries = BatchCodec.decode(r.body());
        assertThat(entries).extracting(BatchCodec.Entry::status).containsExactly(200, 404, 200, 504);
        assertThat(entries.get(0).body()).isEqualTo(FakeReader.pageFor(1));
        assertThat(entries.get(2).body()).isEqualTo(FakeReader.pageFor(2));
        assertThat(entries.get(0).pageLsn()).isEqualTo(FakeReader.PAGE_LSN);
        assertThat(entries.get(0).requestLsn()).isEqualTo(Lsn.parse("0/300"));
        JsonNode problem = JSON.readTree(entries.get(3).body());
        assertThat(problem.get("status").asInt()).isEqualTo(504);
        assertThat(problem.get("last_applied_lsn").asText()).isEqualTo("0/180");
        assertThat(r.body()).hasSize(4 + 4 * BatchCodec.ENTRY_HEADER + 2 * 8192
                + entries.get(1).body().length + entries.get(3).body().length);
        assertThat(new String(server.getAdmin("/metrics").body())).contains("se_batch_pages_total{status=\"504\"}");
    }

    @Test
    void batchDefaultsAndExplicitRefsReachTheReader() {
        String json = "{\"lsn\":4096,\"not_modified_since\":\"0/800\",\"pages\":["
                + "{\"spc\":1664,\"db\":\"9\",\"rel\":1,\"fork\":\"fsm\",\"block\":5},{\"rel\":2,\"block\":6}]}";
        HttpResponse<byte[]> r = server.post(PATH, json);
        assertThat(r.statusCode()).isEqualTo(200);
        var reqs = server.reader.requests;
        assertThat(reqs.get(reqs.size() - 2).page()).isEqualTo(new PageRef(1664, 9, 1, 1, 5));
        assertThat(reqs.getLast().page()).isEqualTo(new PageRef(1663, 0, 2, 0, 6));
        assertThat(reqs.getLast().lsn()).isEqualTo(Lsn.of(4096));
        assertThat(reqs.getLast().notModifiedSince()).isEqualTo(Lsn.parse("0/800"));
    }

    @Test
    void jsonBatchHasDataOrProblemPerPage() throws IOException {
        HttpResponse<byte[]> r = server.post(PATH, body("0/300", 3, 410), "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.get("request_lsn").asText()).isEqualTo("0/300");
        JsonNode first = n.get("pages").get(0);
        assertThat(first.get("status").asInt()).isEqualTo(200);
        assertThat(first.get("block").asInt()).isEqualTo(3);
        assertThat(first.get("page_lsn").asText()).isEqualTo("0/100");
        assertThat(Base64.getDecoder().decode(first.get("data").asText())).isEqualTo(FakeReader.pageFor(3));
        JsonNode second = n.get("pages").get(1);
        assertThat(second.get("status").asInt()).isEqualTo(410);
        assertThat(second.get("problem").get("gc_horizon").asText()).isEqualTo("0/50");
    }

    @Test
    void sixtyFourPagesAreAcceptedAndSixtyFiveRejected() throws IOException {
        int[] blocks64 = IntStream.range(0, 64).toArray();
        HttpResponse<byte[]> ok = server.post(PATH, body("0/300", blocks64));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(BatchCodec.decode(ok.body())).hasSize(64).allMatch(e -> e.status() == 200);
        HttpResponse<byte[]> tooMany = server.post(PATH, body("0/300", IntStream.range(0, 65).toArray()));
        assertProblem(tooMany, 400, "bad-request");
    }

    @Test
    void malformedBatchesAre400() throws IOException {
        assertProblem(server.post(PATH, "{not json"), 400, "bad-request");
        assertProblem(server.post(PATH, "{\"pages\":[{\"rel\":1,\"block\":1}]}"), 400, "bad-request");
        assertProblem(server.post(PATH, "{\"lsn\":\"0/1\",\"pages\":[]}"), 400, "bad-request");
        assertProblem(server.post(PATH, "{\"lsn\":\"0/1\",\"pages\":[{\"block\":1}]}"), 400, "bad-request");
        assertProblem(server.post(PATH, "{\"lsn\":\"0/1\",\"pages\":[{\"rel\":1,\"block\":1,\"fork\":\"x\"}]}"),
                400, "bad-request");
        assertProblem(server.post(PATH, "{\"lsn\":\"0/10\",\"not_modified_since\":\"0/20\",\"pages\":[{\"rel\":1,\"block\":1}]}"),
                400, "bad-request");
        assertProblem(server.post("/v1/tenants/zz/timelines/" + TIMELINE + "/pages/batch", body("0/1", 1)),
                400, "bad-request");
    }

    @Test
    void codecRoundTrips() {
        var entries = List.of(new BatchCodec.Entry(200, Lsn.of(5), Lsn.of(9), FakeReader.pageFor(1)),
                new BatchCodec.Entry(404, Lsn.ZERO, Lsn.of(9), "{}".getBytes()));
        List<BatchCodec.Entry> back = BatchCodec.decode(BatchCodec.encode(entries));
        assertThat(back).hasSize(2);
        assertThat(back.get(0).body()).isEqualTo(FakeReader.pageFor(1));
        assertThat(back.get(1).status()).isEqualTo(404);
        assertThat(back.get(1).requestLsn()).isEqualTo(Lsn.of(9));
    }
}
