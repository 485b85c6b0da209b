package io.storageengine.pageservice.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.parameters.Parameters;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.http.internal.PageResponses;
import io.storageengine.pageservice.http.internal.Params;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.relations.RelationReader;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.util.Objects;

/**
 * {@code GET /v1/tenants/{tenant}/timelines/{timeline}/relations/{spc}/{db}/{rel}?fork&lsn&not_modified_since}
 * (page-api.md 1.1): 200 JSON {@code {"exists", "nblocks", "request_lsn"}}. Order of checks as
 * for a page: authenticate (401/403, {@code AuthFilter}) → parse (400) → tenant rate limit (429) → read; the read's
 * outcomes (404 unknown timeline, 410, 503, 504) are problems mapped by {@code Problems}. Every
 * instance holds all relation metadata, so nothing is forwarded. Stateless; thread-safe.
 */
public final class RelationService implements HttpService {
    private final Services services;
    private final RelationReader reader;

    public RelationService(Services services, RelationReader reader) {
        this.services = Objects.requireNonNull(services, "services");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/tenants/{tenant}/timelines/{timeline}/relations/{spc}/{db}/{rel}",
                services.timed("relation", this::relation));
    }

    private void relation(ServerRequest req, ServerResponse res) throws PageReadException {
        Parameters p = req.path().pathParameters();
        UriQuery q = req.query();
        TimelineKey timeline = Params.timeline(p.get("tenant"), p.get("timeline"));
        RelFork fork = RelFork.of(Params.u32("spc", p.get("spc")), Params.u32("db", p.get("db")),
                Params.u32("rel", p.get("rel")), Params.fork(q.first("fork").orElse(null)));
        Lsn lsn = Params.lsnOrNull("lsn", q.first("lsn").orElse(null));
        Lsn notModifiedSince = Params.lsnOrNull("not_modified_since", q.first("not_modified_since").orElse(null));
        Params.checkNotModifiedSince(lsn, notModifiedSince);
        services.resilience().acquireRate(timeline.tenant());
        RelationReader.RelationAnswer a = reader.read(timeline, fork, lsn, notModifiedSince);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("exists", a.exists());
        n.put("nblocks", a.nblocks());
        n.put("request_lsn", a.requestLsn().toString());
        res.header(HeaderNames.CONTENT_TYPE, PageResponses.JSON);
        res.send(Json.bytes(n));
    }
}
