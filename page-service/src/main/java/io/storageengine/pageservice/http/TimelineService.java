package io.storageengine.pageservice.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.http.internal.PageResponses;
import io.storageengine.pageservice.http.internal.Params;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.TimelineStatus;
import io.storageengine.schemas.timeline.TimelineKey;

/**
 * {@code GET /v1/tenants/{tenant}/timelines/{timeline}}: the timeline's status as this instance
 * knows it, as JSON {@code {"tenant_id", "timeline_id", "last_applied_lsn", "durable_lsn",
 * "gc_horizon"}} (LSNs in {@code X/Y} form). Unknown timeline → 404 problem. Authenticated like
 * page reads; not rate limited. Stateless; thread-safe.
 */
public final class TimelineService implements HttpService {
    private final Services services;

    public TimelineService(Services services) {
        this.services = services;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/tenants/{tenant}/timelines/{timeline}", services.timed("timeline", this::status));
    }

    private void status(ServerRequest req, ServerResponse res) throws PageReadException {
        TimelineKey key = Params.timeline(req.path().pathParameters().get("tenant"),
                req.path().pathParameters().get("timeline"));
        TimelineStatus s = services.reader().status(key);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("tenant_id", key.tenant().toString());
        n.put("timeline_id", key.timeline().toString());
        n.put("last_applied_lsn", s.lastAppliedLsn().toString());
        n.put("durable_lsn", s.durableLsn().toString());
        n.put("gc_horizon", s.gcHorizon().toString());
        res.header(HeaderNames.CONTENT_TYPE, PageResponses.JSON);
        res.send(Json.bytes(n));
    }
}
