package io.storageengine.pageservice.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.http.internal.PageResponses;

/**
 * {@code GET /health}: {@code {"status": "UP"|"DOWN", "live": true, "ready": bool}}, 200 when ready,
 * 503 with {@code Retry-After: 1} when not (readiness is false until this instance's partitions
 * are caught up). {@code GET /health/live} answers 200 whenever the process serves HTTP. Served on
 * both the API and the admin port. Stateless; thread-safe.
 */
public final class HealthService implements HttpService {
    private final Services services;

    public HealthService(Services services) {
        this.services = services;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", services.timed("health", this::health))
                .get("/health/live", services.timed("health", this::live));
    }

    private void health(ServerRequest req, ServerResponse res) {
        boolean ready = services.ready().getAsBoolean();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("status", ready ? "UP" : "DOWN");
        n.put("live", true);
        n.put("ready", ready);
        if (!ready) {
            res.status(503);
            res.header(HeaderNames.RETRY_AFTER, "1");
        }
        res.header(HeaderNames.CONTENT_TYPE, PageResponses.JSON);
        res.send(Json.bytes(n));
    }

    private void live(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PageResponses.JSON);
        res.send("{\"status\":\"UP\",\"live\":true}");
    }
}
