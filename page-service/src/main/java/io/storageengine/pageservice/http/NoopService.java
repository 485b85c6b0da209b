package io.storageengine.pageservice.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.http.internal.PageResponses;
import io.storageengine.schemas.wal.WalFormat;

/**
 * {@code GET /v1/noop}: 200 with a constant 8192-byte body (zeros, {@code application/octet-stream}),
 * timed like the page routes but with no parsing, policies or store. The benchmark compares the
 * page route against it in the same run to isolate the cost of the read path. Thread-safe.
 */
public final class NoopService implements HttpService {
    private static final byte[] PAGE = new byte[WalFormat.PAGE_SIZE];
    private final Services services;

    public NoopService(Services services) {
        this.services = services;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/noop", services.timed("noop", this::noop));
    }

    private void noop(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PageResponses.OCTET);
        res.send(PAGE);
    }
}
