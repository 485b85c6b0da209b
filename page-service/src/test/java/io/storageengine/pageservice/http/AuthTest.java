package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.PageRoutesTest.assertProblem;
import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static io.storageengine.pageservice.http.TestServer.pagePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.auth.TokenClaims;
import io.storageengine.schemas.timeline.TenantId;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signed tokens on every route, through the one filter: 401 for missing, malformed, foreign-key,
 * unsigned and expired tokens, 403 for another tenant's token on every tenant route, a
 * {@code pageserverapi} token reads any tenant, and the forwarding header grants nothing.
 */
class AuthTest {
    static final String OTHER_TENANT = "11111111111111111111111111111111";
    static final TestTokens TOKENS = new TestTokens();
    static final String TOKEN_A = TOKENS.tenant(TENANT);
    static final String TOKEN_B = TOKENS.tenant(OTHER_TENANT);
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(TOKENS.env());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void missingTokenIs401WithBearerChallenge() throws IOException {
        HttpResponse<byte[]> r = server.get(pagePath(1));
        assertProblem(r, 401, "unauthorized");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertProblem(server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE), 401, "unauthorized");
        assertProblem(server.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                BatchRoutesTest.body("0/1", 1)), 401, "unauthorized");
        assertProblem(server.get("/v1/noop"), 401, "unauthorized");
        assertProblem(server.get("/no/such/route"), 401, "unauthorized");
    }

    @Test
    void invalidTokensAre401() throws IOException {
        assertProblem(server.get(pagePath(1), "Authorization", "Bearer nope"), 401, "unauthorized");
        assertProblem(server.get(pagePath(1), "Authorization", "Basic c2VjcmV0LWE="), 401, "unauthorized");
        String foreign = new TestTokens().tenant(TENANT); // signed by a key this deployment does not know
        assertProblem(server.get(pagePath(1), "Authorization", bearer(foreign)), 401, "unauthorized");
        String[] parts = TOKEN_A.split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        assertProblem(server.get(pagePath(1), "Authorization", bearer(none)), 401, "unauthorized");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"scope\":\"pageserverapi\"}").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertProblem(server.get(pagePath(1), "Authorization", bearer(tampered)), 401, "unauthorized");
    }

    @Test
    void expiredTokenIs401() throws IOException {
        HttpResponse<byte[]> r = server.get(pagePath(1), "Authorization", bearer(TOKENS.expired(TENANT)));
        assertProblem(r, 401, "unauthorized");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("expired");
    }

    @Test
    void tokenOfAnotherTenantIs403OnEveryTenantRoute() throws IOException {
        assertProblem(server.get(pagePath(1), "Authorization", bearer(TOKEN_B)), 403, "forbidden");
        assertProblem(server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE, "Authorization", bearer(TOKEN_B)),
                403, "forbidden");
        assertProblem(server.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                BatchRoutesTest.body("0/1", 1), "Authorization", bearer(TOKEN_B)), 403, "forbidden");
        assertProblem(server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/relations/1663/5/16384",
                "Authorization", bearer(TOKEN_B)), 403, "forbidden");
        assertProblem(server.get("/v1/pages/16384/1?tenant_id=" + TENANT + "&timeline_id=" + TIMELINE + "&lsn=0/10",
                "Authorization", bearer(TOKEN_B)), 403, "forbidden");
        // The same tenant spelled differently in the raw path is still the tenant the route reads.
        assertProblem(server.get("//v1/tenants/" + TENANT + "/timelines/" + TIMELINE, "Authorization", bearer(TOKEN_B)),
                403, "forbidden");
        assertProblem(server.get("/v1/tenants/%30" + TENANT.substring(1) + "/timelines/" + TIMELINE,
                "Authorization", bearer(TOKEN_B)), 403, "forbidden");
    }

    @Test
    void theForwardingHeaderGrantsNothing() throws IOException {
        assertProblem(server.get(pagePath(1), "SE-Forwarded-By", "127.0.0.1:1"), 401, "unauthorized");
        assertProblem(server.get(pagePath(1), "SE-Forwarded-By", "127.0.0.1:1", "Authorization", bearer(TOKEN_B)),
                403, "forbidden");
    }

    @Test
    void tenantsTokenReadsItsTenant() {
        assertThat(server.get(pagePath(1), "Authorization", bearer(TOKEN_A)).statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE, "Authorization", "bearer " + TOKEN_A)
                .statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/noop", "Authorization", bearer(TOKEN_A)).statusCode()).isEqualTo(200);
    }

    @Test
    void pageserverapiTokenReadsEveryTenant() {
        String all = TOKENS.all();
        assertThat(server.get(pagePath(1), "Authorization", bearer(all)).statusCode()).isEqualTo(200);
        assertThat(server.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE, "Authorization", bearer(all))
                .statusCode()).isEqualTo(200);
        String shortLived = TOKENS.issue(new TokenClaims(TokenClaims.Scope.TENANT, TenantId.parse(TENANT)),
                Duration.ofMinutes(5));
        assertThat(server.get(pagePath(2), "Authorization", bearer(shortLived)).statusCode()).isEqualTo(200);
    }

    @Test
    void healthAndOpenApiNeedNoToken() {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        assertThat(server.get("/openapi").statusCode()).isEqualTo(200);
    }
}
