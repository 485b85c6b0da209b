package io.storageengine.pageservice.http;

import io.helidon.common.parameters.Parameters;
import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.http.internal.ApiException;
import io.storageengine.pageservice.http.internal.Forwarder;
import io.storageengine.pageservice.http.internal.PageResponses;
import io.storageengine.pageservice.http.internal.Params;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;

/**
 * GetPage@LSN, one page per request, in both forms of page-api.md:
 * <ul>
 *   <li>{@code GET /v1/tenants/{tenant}/timelines/{timeline}/pages/{spc}/{db}/{rel}/{block}?lsn&fork&not_modified_since}</li>
 *   <li>{@code GET /v1/pages/{rel}/{block}?tenant_id&timeline_id&lsn&spc=1663&db=0&fork&not_modified_since}</li>
 * </ul>
 * Order of checks: authenticate (401/403, {@code AuthFilter}) → parse (400) → tenant rate limit (429) → owner: local
 * read through bulkhead and circuit breaker with the reconstruction deadline, forward to the
 * owner, or 503. Stateless; thread-safe.
 */
public final class PageService implements HttpService {
    private final Services services;
    private final long deadlineNanos;

    public PageService(Services services) {
        this.services = services;
        this.deadlineNanos = services.read().deadline().toNanos();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/tenants/{tenant}/timelines/{timeline}/pages/{spc}/{db}/{rel}/{block}",
                        services.timed("page", this::page))
                .get("/v1/pages/{rel}/{block}", services.timed("page_seed", this::seedPage));
    }

    private void page(ServerRequest req, ServerResponse res) throws PageReadException {
        Parameters p = req.path().pathParameters();
        UriQuery q = req.query();
        TimelineKey timeline = Params.timeline(p.get("tenant"), p.get("timeline"));
        PageRef ref = PageRef.of(Params.u32("spc", p.get("spc")), Params.u32("db", p.get("db")),
                Params.u32("rel", p.get("rel")), Params.fork(q.first("fork").orElse(null)),
                Params.u32("block", p.get("block")));
        serve(req, res, timeline, ref, q);
    }

    private void seedPage(ServerRequest req, ServerResponse res) throws PageReadException {
        Parameters p = req.path().pathParameters();
        UriQuery q = req.query();
        TimelineKey timeline = new TimelineKey(Params.tenant(q.first("tenant_id").orElse(null)),
                Params.timelineId(q.first("timeline_id").orElse(null)));
        PageRef ref = PageRef.of(Params.u32("spc", q.first("spc").orElse(null), PageRef.DEFAULT_TABLESPACE),
                Params.u32("db", q.first("db").orElse(null), 0),
                Params.u32("rel", p.get("rel")), Params.fork(q.first("fork").orElse(null)),
                Params.u32("block", p.get("block")));
        serve(req, res, timeline, ref, q);
    }

    private void serve(ServerRequest req, ServerResponse res, TimelineKey timeline, PageRef ref, UriQuery q)
            throws PageReadException {
        Lsn lsn = Params.lsnOrNull("lsn", q.first("lsn").orElse(null));
        Lsn notModifiedSince = Params.lsnOrNull("not_modified_since", q.first("not_modified_since").orElse(null));
        Params.checkNotModifiedSince(lsn, notModifiedSince);
        services.resilience().acquireRate(timeline.tenant());
        switch (services.ownership().ownerOf(new PageKey(timeline, ref))) {
            case Ownership.Local l -> {
                PageVersion v = services.resilience().store(() -> services.reader().read(
                        new PageRequest(timeline, ref, lsn, notModifiedSince, System.nanoTime() + deadlineNanos)));
                PageResponses.send(req.headers(), res, timeline, ref, v);
            }
            case Ownership.Remote r -> {
                if (Forwarder.isForwarded(req)) {
                    throw ApiException.unavailable("ownership-moving", "forwarded request reached an instance that "
                            + "does not own the page (ownership is moving)", Duration.ofSeconds(1));
                }
                services.forwarder().relay(req, res, r);
            }
            case Ownership.Unavailable u -> throw ApiException.unavailable("partition-unavailable", u.reason(),
                    u.retryAfter());
        }
    }
}
