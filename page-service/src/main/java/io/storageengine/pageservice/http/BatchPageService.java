package io.storageengine.pageservice.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.http.internal.ApiException;
import io.storageengine.pageservice.http.internal.BatchCodec;
import io.storageengine.pageservice.http.internal.Forwarder;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.http.internal.PageResponses;
import io.storageengine.pageservice.http.internal.Params;
import io.storageengine.pageservice.http.internal.Problem;
import io.storageengine.pageservice.http.internal.Problems;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch GetPage@LSN: up to {@code read.max-batch} (64) pages of one timeline at one LSN per request.
 *
 * <p>{@code POST /v1/tenants/{tenant}/timelines/{timeline}/pages/batch} with a JSON body
 * <pre>{"lsn": "0/16B3748", "not_modified_since": "0/1000000",
 *  "pages": [{"spc": 1663, "db": 0, "rel": 16384, "fork": "main", "block": 0}, ...]}</pre>
 * ({@code lsn} required; {@code spc} defaults to 1663, {@code db} to 0, {@code fork} to main).
 * Request-level failures (400, 401/403, 429) are problem+json. Otherwise 200 with one entry per
 * page in request order, each with its own status: by default the binary frames of
 * {@link BatchCodec} (fastest: pages copied once, no base64), or with {@code Accept:
 * application/json} a JSON document whose entries look like the single-page JSON plus
 * {@code status} (and {@code problem} instead of {@code data} on error).
 *
 * <p>The tenant rate limit is charged once per batch; each local page goes through the bulkhead
 * and circuit breaker with its own reconstruction deadline. Pages owned by other instances are sent
 * there as one sub-batch per owner and merged back. Stateless; thread-safe.
 */
public final class BatchPageService implements HttpService {
    private static final int MAX_BODY = 256 * 1024;

    private final Services services;
    private final long deadlineNanos;

    public BatchPageService(Services services) {
        this.services = services;
        this.deadlineNanos = services.read().deadline().toNanos();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/tenants/{tenant}/timelines/{timeline}/pages/batch", services.timed("batch", this::batch));
    }

    private record Batch(Lsn lsn, Lsn notModifiedSince, List<PageRef> pages) {
    }

    private void batch(ServerRequest req, ServerResponse res) {
        TimelineKey timeline = Params.timeline(req.path().pathParameters().get("tenant"),
                req.path().pathParameters().get("timeline"));
        Batch batch = parse(readBody(req));
        services.resilience().acquireRate(timeline.tenant());

        int n = batch.pages().size();
        BatchCodec.Entry[] out = new BatchCodec.Entry[n];
        // one forwarded request per owner instance (host:port), whatever the pages' partitions
        Map<Ownership.Remote, List<Integer>> remote = new LinkedHashMap<>();
        boolean forwarded = Forwarder.isForwarded(req);
        for (int i = 0; i < n; i++) {
            PageRef ref = batch.pages().get(i);
            switch (services.ownership().ownerOf(new PageKey(timeline, ref))) {
                case Ownership.Local l -> out[i] = readLocal(timeline, ref, batch);
                case Ownership.Remote r -> {
                    if (forwarded) {
                        out[i] = error(batch.lsn(), ApiException.unavailable("ownership-moving",
                                "forwarded request reached an instance that does not own the page", Duration.ofSeconds(1)));
                    } else {
                        remote.computeIfAbsent(new Ownership.Remote(0, r.host(), r.port()), k -> new ArrayList<>()).add(i);
                    }
                }
                case Ownership.Unavailable u -> out[i] = error(batch.lsn(),
                        ApiException.unavailable("partition-unavailable", u.reason(), u.retryAfter()));
            }
        }
        remote.forEach((owner, indexes) -> forward(req, timeline, batch, owner, indexes, out));

        List<BatchCodec.Entry> entries = Arrays.asList(out);
        for (BatchCodec.Entry e : out) {
            services.metrics().batchPage(e.status());
        }
        res.header(PageResponses.REQUEST_LSN, batch.lsn().toString());
        if (PageResponses.wantsJson(req.headers())) {
            res.header(HeaderNames.CONTENT_TYPE, PageResponses.JSON);
            res.send(Json.bytes(toJson(timeline, batch, entries)));
        } else {
            res.header(HeaderNames.CONTENT_TYPE, PageResponses.OCTET);
            res.contentLength(BatchCodec.size(entries));
            try (OutputStream os = res.outputStream()) {
                BatchCodec.writeTo(entries, os);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private BatchCodec.Entry readLocal(TimelineKey timeline, PageRef ref, Batch batch) {
        try {
            PageVersion v = services.resilience().store(() -> services.reader().read(new PageRequest(
                    timeline, ref, batch.lsn(), batch.notModifiedSince(), System.nanoTime() + deadlineNanos)));
            return new BatchCodec.Entry(200, v.pageLsn(), v.requestLsn(), v.page());
        } catch (Exception e) {
            return error(batch.lsn(), e);
        }
    }

    private void forward(ServerRequest req, TimelineKey timeline, Batch batch, Ownership.Remote owner,
                         List<Integer> indexes, BatchCodec.Entry[] out) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("lsn", batch.lsn().toString());
        if (batch.notModifiedSince() != null) {
            body.put("not_modified_since", batch.notModifiedSince().toString());
        }
        ArrayNode pages = body.putArray("pages");
        for (int i : indexes) {
            PageResponses.putRef(pages.addObject(), batch.pages().get(i));
        }
        try {
            HttpResponse<byte[]> r = services.forwarder().post(req, owner, req.path().rawPath(), PageResponses.JSON,
                    PageResponses.OCTET, Json.bytes(body));
            if (r.statusCode() != 200) {
                for (int i : indexes) {
                    out[i] = new BatchCodec.Entry(r.statusCode(), Lsn.ZERO, batch.lsn(), r.body());
                }
                return;
            }
            List<BatchCodec.Entry> answers = BatchCodec.decode(r.body());
            if (answers.size() != indexes.size()) {
                throw new IllegalStateException("owner " + owner + " answered " + answers.size() + " pages for "
                        + indexes.size());
            }
            for (int k = 0; k < indexes.size(); k++) {
                out[indexes.get(k)] = answers.get(k);
            }
        } catch (RuntimeException e) {
            for (int i : indexes) {
                out[i] = error(batch.lsn(), e instanceof ApiException ? e : ApiException.unavailable(
                        "owner-unreachable", "bad answer from " + owner.host() + ":" + owner.port() + ": "
                                + e.getMessage(), Duration.ofSeconds(1)));
            }
        }
    }

    private BatchCodec.Entry error(Lsn lsn, Exception e) {
        Problem p = Problems.of(e);
        services.metrics().problem("batch_page", p.slug());
        return new BatchCodec.Entry(p.status(), Lsn.ZERO, lsn, Problems.body(p, null));
    }

    private Batch parse(byte[] raw) {
        JsonNode root = Json.parse(raw);
        if (!root.isObject()) {
            throw ApiException.badRequest("batch body must be a JSON object with lsn and pages");
        }
        Lsn lsn = lsn(root, "lsn");
        if (lsn == null) {
            throw ApiException.badRequest("lsn is required for a batch (all pages are read at one LSN)");
        }
        Lsn nms = lsn(root, "not_modified_since");
        Params.checkNotModifiedSince(lsn, nms);
        JsonNode pages = root.get("pages");
        if (pages == null || !pages.isArray() || pages.isEmpty()) {
            throw ApiException.badRequest("pages must be a non-empty array");
        }
        int max = services.read().maxBatch();
        if (pages.size() > max) {
            throw ApiException.badRequest("at most " + max + " pages per batch, got " + pages.size());
        }
        List<PageRef> refs = new ArrayList<>(pages.size());
        for (JsonNode p : pages) {
            if (!p.isObject()) {
                throw ApiException.badRequest("each page must be an object {spc, db, rel, fork, block}");
            }
            refs.add(PageRef.of(
                    Params.u32("spc", text(p, "spc"), PageRef.DEFAULT_TABLESPACE),
                    Params.u32("db", text(p, "db"), 0),
                    Params.u32("rel", required(p, "rel")),
                    Params.fork(text(p, "fork")),
                    Params.u32("block", required(p, "block"))));
        }
        return new Batch(lsn, nms, List.copyOf(refs));
    }

    private static Lsn lsn(JsonNode root, String field) {
        return Params.lsnOrNull(field, text(root, field));
    }

    private static String required(JsonNode n, String field) {
        String v = text(n, field);
        if (v == null) {
            throw ApiException.badRequest("page." + field + " is required");
        }
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual() || v.isIntegralNumber()) {
            return v.asText();
        }
        throw ApiException.badRequest(field + ": expected a string or an integer");
    }

    private static byte[] readBody(ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw ApiException.badRequest("missing request body");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw ApiException.badRequest("request body larger than " + MAX_BODY + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("could not read request body: " + e.getMessage());
        }
    }

    private static JsonNode problemNode(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException | RuntimeException e) {
            return Json.MAPPER.getNodeFactory().textNode(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static ObjectNode toJson(TimelineKey timeline, Batch batch, List<BatchCodec.Entry> entries) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("tenant_id", timeline.tenant().toString());
        root.put("timeline_id", timeline.timeline().toString());
        root.put("request_lsn", batch.lsn().toString());
        ArrayNode pages = root.putArray("pages");
        for (int i = 0; i < entries.size(); i++) {
            BatchCodec.Entry e = entries.get(i);
            ObjectNode n = pages.addObject();
            PageResponses.putRef(n, batch.pages().get(i));
            n.put("status", e.status());
            n.put("request_lsn", e.requestLsn().toString());
            if (e.status() == 200) {
                n.put("page_lsn", e.pageLsn().toString());
                n.put("data", Base64.getEncoder().encodeToString(e.body()));
            } else {
                n.set("problem", problemNode(e.body()));
            }
        }
        return root;
    }
}
