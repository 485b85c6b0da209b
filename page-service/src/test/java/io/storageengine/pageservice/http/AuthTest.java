package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.PageRoutesTest.assertProblem;
import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static io.storageengine.pageservice.http.TestServer.pagePath;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthTest {
    static final String OTHER_TENANT = "11111111111111111111111111111111";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("SE_AUTH_ENABLED", "true",
                "SE_AUTH_TOKENS", TENANT + "=secret-a," + OTHER_TENANT + "=secret-b"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void missingTokenIs401WithBearerChallenge() throws IOException {
        HttpResponse<byte[]> r = server.get(pagePath(1));
        assertProblem(r, 401, "unauthorized");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }

    @Test
    void unknownTokenIs401() throws IOException {
        assertProblem(server.get(pagePath(1), "Authorization", "Bearer nope"), 401, "unauthorized");
        assertProblem(server.get(pagePath(1), "Authorization", "Basic c2VjcmV0LWE="), 401, "unauthorized");
    }

    @Test
    void tokenOfAnotherTenantIs403() throws IOException {
        assertProblem(server.get(pagePath(1), "Authorization", "Bearer secret-b"), 403, "forbidden");
        assertProblem(server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE, "Authorization", "Bearer secret-b"),
                403, "forbidden");
        assertProblem(server.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                BatchRoutesTest.body("0/1", 1), "Authorization", "Bearer secret-b"), 403, "forbidden");
    }

    @Test
    void tenantsTokenReads() {
        HttpResponse<byte[]> r = server.get(pagePath(1), "Authorization", "Bearer secret-a");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE, "Authorization", "bearer secret-a")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void healthNeedsNoToken() {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }
}
