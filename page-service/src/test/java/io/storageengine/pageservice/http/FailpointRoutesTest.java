package io.storageengine.pageservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.runtime.failpoint.Failpoints;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The page service's failpoint routes: {@code GET|PUT /failpoints} on the admin socket only (not on
 * the page API), and {@code /health} naming the points that are on while any is.
 */
class FailpointRoutesTest {

    private static HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
        return TestServer.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminSocketChangesFailpointsAndHealthShowsTheOnesThatAreOn() throws Exception {
        Failpoints failpoints = Failpoints.none();
        failpoints.point("segment-read");
        try (TestServer s = new TestServer(Map.of(), failpoints)) {
            assertThat(send(s.adminPort(), "GET", "/failpoints", null).body())
                    .isEqualTo("{\"segment-read\":{\"action\":\"off\",\"hits\":0,\"remaining\":-1,\"registered\":true}}");
            assertThat(send(s.adminPort(), "GET", "/health", null).body()).doesNotContain("failpoints");

            HttpResponse<String> put = send(s.adminPort(), "PUT", "/failpoints", "segment-read=sleep(150)");
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(failpoints.point("segment-read").action().toString()).isEqualTo("sleep(150)");
            for (int port : new int[] {s.port(), s.adminPort()}) {
                assertThat(send(port, "GET", "/health", null).body()).contains("\"failpoints\":[\"segment-read=sleep(150)\"]");
            }
            assertThat(send(s.port(), "PUT", "/failpoints", "segment-read=off").statusCode())
                    .as("not on the page API").isEqualTo(404);
            assertThat(send(s.adminPort(), "PUT", "/failpoints", "segment-read=bogus").statusCode()).isEqualTo(400);

            assertThat(send(s.adminPort(), "PUT", "/failpoints", "segment-read=off").statusCode()).isEqualTo(200);
            assertThat(send(s.adminPort(), "GET", "/health", null).body()).doesNotContain("failpoints");
        }
    }
}
