package io.storageengine.pageservice.http.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import java.time.Instant;
import java.util.Base64;

/**
 * Writes a page answer: by default (or {@code Accept: application/octet-stream}) the 8192 raw
 * bytes with headers {@code Page-Lsn} and {@code Request-Lsn}; with {@code Accept:
 * application/json} the JSON document of page-api.md (page bytes in base64). Stateless.
 */
public final class PageResponses {
    public static final HeaderName PAGE_LSN = HeaderNames.create("Page-Lsn");
    public static final HeaderName REQUEST_LSN = HeaderNames.create("Request-Lsn");
    public static final String OCTET = "application/octet-stream";
    public static final String JSON = "application/json";

    private PageResponses() {
    }

    /** True when the client prefers JSON over raw bytes; no Accept header means raw bytes. */
    public static boolean wantsJson(ServerRequestHeaders headers) {
        if (!headers.contains(HeaderNames.ACCEPT)) {
            return false;
        }
        return headers.bestAccepted(MediaTypes.APPLICATION_OCTET_STREAM, MediaTypes.APPLICATION_JSON)
                .map(m -> m.equals(MediaTypes.APPLICATION_JSON))
                .orElse(false);
    }

    public static void send(ServerRequestHeaders headers, ServerResponse res, TimelineKey timeline, PageRef ref,
                            PageVersion v) {
        res.header(PAGE_LSN, v.pageLsn().toString());
        res.header(REQUEST_LSN, v.requestLsn().toString());
        if (wantsJson(headers)) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("tenant_id", timeline.tenant().toString());
            n.put("timeline_id", timeline.timeline().toString());
            putRef(n, ref);
            n.put("request_lsn", v.requestLsn().toString());
            n.put("page_lsn", v.pageLsn().toString());
            n.put("data", Base64.getEncoder().encodeToString(v.page()));
            n.put("retrieved_at", Instant.now().toString());
            res.header(HeaderNames.CONTENT_TYPE, JSON);
            res.send(Json.bytes(n));
        } else {
            res.header(HeaderNames.CONTENT_TYPE, OCTET);
            res.send(v.page());
        }
    }

    public static void putRef(ObjectNode n, PageRef ref) {
        n.put("spc", ref.spc());
        n.put("db", ref.db());
        n.put("rel", ref.rel());
        n.put("fork", Fork.ofNumber(ref.forkNum()).label());
        n.put("block", ref.block());
    }
}
