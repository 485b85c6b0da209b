package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.PageRoutesTest.assertProblem;
import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static io.storageengine.pageservice.http.TestServer.pagePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.ownership.Ownership;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forwarding between two instances with authentication on: the client's token is relayed and
 * checked again by the owner, so a forwarded request is exactly as authorized as a direct one; a
 * request the first instance rejects is never forwarded.
 */
class AuthForwardingTest {
    static final TestTokens TOKENS = new TestTokens();
    TestServer a;
    TestServer b;

    @BeforeEach
    void start() {
        a = new TestServer(TOKENS.env());
        b = new TestServer(TOKENS.env());
        a.ownership = key -> new Ownership.Remote(0, "127.0.0.1", b.port());
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void theTokenIsRelayedAndCheckedByTheOwner() {
        String token = TOKENS.tenant(TENANT);
        HttpResponse<byte[]> r = a.get(pagePath(5), "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(FakeReader.pageFor(5));
        assertThat(a.reader.requests).isEmpty();
        assertThat(b.reader.requests).hasSize(1);

        HttpResponse<byte[]> batch = a.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                BatchRoutesTest.body("0/1", 1, 2), "Authorization", "Bearer " + token);
        assertThat(batch.statusCode()).isEqualTo(200);
        assertThat(b.reader.requests).hasSize(3);
    }

    @Test
    void rejectedRequestsAreNeverForwarded() throws IOException {
        assertProblem(a.get(pagePath(5)), 401, "unauthorized");
        assertProblem(a.get(pagePath(5), "Authorization", "Bearer " + TOKENS.tenant(AuthTest.OTHER_TENANT)),
                403, "forbidden");
        assertThat(b.reader.requests).isEmpty();
        assertThat(new String(a.getAdmin("/metrics").body())).doesNotContain("se_forwarded_requests_total 1.0");
    }

    @Test
    void anOwnerWithOtherKeysRejectsTheRelayedToken() throws IOException {
        TestServer c = new TestServer(new TestTokens().env()); // another deployment's keys
        try {
            a.ownership = key -> new Ownership.Remote(0, "127.0.0.1", c.port());
            assertProblem(a.get(pagePath(5), "Authorization", "Bearer " + TOKENS.tenant(TENANT)), 401, "unauthorized");
            assertThat(c.reader.requests).isEmpty();
        } finally {
            c.close();
        }
        assertThat(List.of(a.reader.requests.size(), b.reader.requests.size())).containsExactly(0, 0);
    }
}
