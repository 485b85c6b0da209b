package io.storageengine.pageservice.grpc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.UnsafeByteOperations;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.Page;
import io.storageengine.pageapi.v1.Problem;
import io.storageengine.pageapi.v1.PartitionOwner;
import io.storageengine.pageapi.v1.RelTag;
import io.storageengine.pageapi.v1.RelationSizeRequest;
import io.storageengine.pageapi.v1.RelationSizeResponse;
import io.storageengine.pageapi.v1.RoutingResponse;
import io.storageengine.pageapi.v1.TimelineStatusRequest;
import io.storageengine.pageapi.v1.TimelineStatusResponse;
import io.storageengine.pageservice.auth.TokenClaims;
import io.storageengine.pageservice.http.Services;
import io.storageengine.pageservice.http.internal.ApiException;
import io.storageengine.pageservice.http.internal.Authenticator;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.http.internal.Params;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.TimelineStatus;
import io.storageengine.pageservice.relations.RelationReader;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;

/**
 * One request of the streaming API, read exactly as its HTTP route reads it: parse (400 through
 * {@link Params}) → the token covers the tenant (403) → tenant rate limit (429, "slow down") →
 * ownership: local read through the bulkhead and circuit breaker with the reconstruction deadline,
 * a forward to the owner's HTTP page route, or 503. {@link #page} never throws: every outcome is a
 * response (page or in-band problem); timed under the route {@code grpc_page}. The unary reads throw
 * the {@code StatusRuntimeException} of {@link StreamProblems}. Stateless; thread-safe.
 */
public final class PageReads {
    private final Services services;
    private final RelationReader relations;
    private final long deadlineNanos;
    private final int maxBatch;

    public PageReads(Services services, RelationReader relations) {
        this.services = services;
        this.relations = relations;
        this.deadlineNanos = services.read().deadline().toNanos();
        this.maxBatch = services.read().maxBatch();
    }

    /**
     * Reads the request's pages ({@code block}, then {@code more_blocks}: at most
     * {@code read.max-batch}); {@code claims} null when auth is off, {@code authorization} relayed
     * when forwarding. One rate-limit charge and one deadline per request; the first page that fails
     * makes the whole response that problem (the request shares one fate).
     */
    public GetPageResponse page(GetPageRequest r, TokenClaims claims, String authorization) {
        long start = System.nanoTime();
        GetPageResponse.Builder out = GetPageResponse.newBuilder().setRequestId(r.getRequestId());
        int pages = 1 + r.getMoreBlocksCount();
        try {
            TimelineKey timeline = Params.timeline(r.getTenant(), r.getTimeline());
            authorize(claims, timeline);
            RelTag rel = requireRel(r.hasRel(), r.getRel());
            if (pages > maxBatch) {
                throw ApiException.badRequest("a request reads at most " + maxBatch + " pages: block and "
                        + (maxBatch - 1) + " more_blocks (read.max-batch); this one asks " + pages);
            }
            long spc = u32(rel.getSpc());
            long db = u32(rel.getDb());
            long relOid = u32(rel.getRel());
            Fork fork = Params.fork(fork(rel));
            Lsn lsn = lsnOrNull(r.getLsn());
            Lsn nms = lsnOrNull(r.getNotModifiedSince());
            Params.checkNotModifiedSince(lsn, nms);
            services.resilience().acquireRate(timeline.tenant());
            long deadline = start + deadlineNanos;
            for (int i = 0; i < pages; i++) {
                PageRef ref = PageRef.of(spc, db, relOid, fork, u32(i == 0 ? r.getBlock() : r.getMoreBlocks(i - 1)));
                Page.Builder page = readOne(timeline, ref, lsn, nms, deadline, authorization);
                if (i == 0) {
                    out.setPage(page);
                } else {
                    out.addMorePages(page);
                }
            }
        } catch (Exception e) {
            out.clearMorePages();
            out.setError(e instanceof RelayedProblem relayed ? relayed.problem
                    : StreamProblems.toProto(StreamProblems.problemOf(e, "page")));
        }
        int status = 200;
        if (out.hasError()) {
            status = out.getError().getHttpStatus();
            services.metrics().problem("grpc_page", slug(out.getError()));
        } else {
            services.metrics().streamPages(pages);
        }
        services.metrics().record("grpc_page", status, System.nanoTime() - start);
        return out.build();
    }

    /** One page: local read through the bulkhead and breaker, a forward to its owner, or 503. */
    private Page.Builder readOne(TimelineKey timeline, PageRef ref, Lsn lsn, Lsn nms, long deadline,
                                 String authorization) throws Exception {
        return switch (services.ownership().ownerOf(new PageKey(timeline, ref))) {
            case Ownership.Local l -> {
                PageVersion v = services.resilience().store(() -> services.reader().read(
                        new PageRequest(timeline, ref, lsn, nms, deadline)));
                yield Page.newBuilder().setData(UnsafeByteOperations.unsafeWrap(v.page()))
                        .setPageLsn(v.pageLsn().value()).setRequestLsn(v.requestLsn().value());
            }
            case Ownership.Remote o -> forward(o, timeline, ref, lsn, nms, authorization);
            case Ownership.Unavailable u -> throw ApiException.unavailable("partition-unavailable", u.reason(),
                    u.retryAfter());
        };
    }

    /** The owning instance's problem answer to a forwarded page, relayed as it is. */
    private static final class RelayedProblem extends RuntimeException {
        final Problem problem;

        RelayedProblem(Problem problem) {
            super(problem.getDetail(), null, false, false);
            this.problem = problem;
        }
    }

    /** smgrexists / smgrnblocks, as the HTTP relation route (not forwarded: every instance holds all relation metadata). */
    public RelationSizeResponse relation(RelationSizeRequest r, TokenClaims claims) {
        long start = System.nanoTime();
        int status = 200;
        try {
            TimelineKey timeline = Params.timeline(r.getTenant(), r.getTimeline());
            authorize(claims, timeline);
            RelTag rel = requireRel(r.hasRel(), r.getRel());
            RelFork fork = RelFork.of(u32(rel.getSpc()), u32(rel.getDb()), u32(rel.getRel()), Params.fork(fork(rel)));
            Lsn lsn = lsnOrNull(r.getLsn());
            Lsn nms = lsnOrNull(r.getNotModifiedSince());
            Params.checkNotModifiedSince(lsn, nms);
            services.resilience().acquireRate(timeline.tenant());
            RelationReader.RelationAnswer a = relations.read(timeline, fork, lsn, nms);
            return RelationSizeResponse.newBuilder().setExists(a.exists()).setNblocks(a.nblocks())
                    .setRequestLsn(a.requestLsn().value()).build();
        } catch (Exception e) {
            status = fail("grpc_relation", e);
            throw failure(e, "relation");
        } finally {
            services.metrics().record("grpc_relation", status, System.nanoTime() - start);
        }
    }

    /** The timeline's status on this instance, as the HTTP timeline route (not rate limited). */
    public TimelineStatusResponse timeline(TimelineStatusRequest r, TokenClaims claims) {
        long start = System.nanoTime();
        int status = 200;
        try {
            TimelineKey timeline = Params.timeline(r.getTenant(), r.getTimeline());
            authorize(claims, timeline);
            TimelineStatus s = services.reader().status(timeline);
            return TimelineStatusResponse.newBuilder().setLastAppliedLsn(s.lastAppliedLsn().value())
                    .setDurableLsn(s.durableLsn().value()).setGcHorizon(s.gcHorizon().value()).build();
        } catch (Exception e) {
            status = fail("grpc_timeline", e);
            throw failure(e, "timeline");
        } finally {
            services.metrics().record("grpc_timeline", status, System.nanoTime() - start);
        }
    }

    /**
     * The partition owners as the ownership view knows them (open to any authenticated caller: it
     * names instances, no tenant data). {@code grpcAddress}: this instance's advertised gRPC address.
     */
    public RoutingResponse routing(String grpcAddress) {
        Ownership.Routing r = services.ownership().routing();
        RoutingResponse.Builder b = RoutingResponse.newBuilder().setPartitionCount(r.partitionCount())
                .setHttpAddress(services.forwarder().self()).setGrpcAddress(grpcAddress);
        r.owners().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.addOwners(
                PartitionOwner.newBuilder().setPartition(e.getKey()).setHttpAddress(e.getValue())));
        return b.build();
    }

    private int fail(String route, Exception e) {
        io.storageengine.pageservice.http.internal.Problem p = io.storageengine.pageservice.http.internal.Problems.of(e);
        services.metrics().problem(route, p.slug());
        return p.status();
    }

    private static RuntimeException failure(Exception e, String where) {
        return StreamProblems.toStatus(StreamProblems.toProto(StreamProblems.problemOf(e, where)));
    }

    /**
     * The owner's HTTP page route, marked as forwarded (the owner answers 503 rather than forwarding
     * again); its page or its problem become this response's.
     */
    private Page.Builder forward(Ownership.Remote owner, TimelineKey timeline, PageRef ref, Lsn lsn, Lsn nms,
                                 String authorization) {
        StringBuilder target = new StringBuilder("/v1/tenants/").append(timeline.tenant()).append("/timelines/")
                .append(timeline.timeline()).append("/pages/").append(ref.spc()).append('/').append(ref.db())
                .append('/').append(ref.rel()).append('/').append(ref.block()).append("?fork=").append(ref.forkNum());
        if (lsn != null) {
            target.append("&lsn=").append(lsn);
        }
        if (nms != null) {
            target.append("&not_modified_since=").append(nms);
        }
        HttpResponse<byte[]> r = services.forwarder().get(owner, target.toString(), authorization);
        if (r.statusCode() != 200) {
            throw new RelayedProblem(relayedProblem(r.statusCode(), r.body()));
        }
        return Page.newBuilder().setData(UnsafeByteOperations.unsafeWrap(r.body()))
                .setPageLsn(headerLsn(r, "Page-Lsn")).setRequestLsn(headerLsn(r, "Request-Lsn"));
    }

    private static long headerLsn(HttpResponse<byte[]> r, String name) {
        return r.headers().firstValue(name).map(v -> Lsn.parse(v).value()).orElse(0L);
    }

    /** The owner's problem+json answer as a {@link Problem} (a body that is not JSON becomes its detail). */
    static Problem relayedProblem(int status, byte[] body) {
        Problem.Builder b = Problem.newBuilder().setCode(StreamProblems.codeOf(status).value()).setHttpStatus(status);
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                switch (f.getKey()) {
                    case "type" -> b.setType(f.getValue().asText());
                    case "title" -> b.setTitle(f.getValue().asText());
                    case "detail" -> b.setDetail(f.getValue().asText());
                    case "retry_after_seconds" -> b.setRetryAfterMs((int) Math.min(Integer.MAX_VALUE,
                            f.getValue().asLong() * 1000));
                    case "status", "instance" -> { }
                    default -> b.putMembers(f.getKey(), f.getValue().asText());
                }
            }
        } catch (Exception e) {
            b.setType(io.storageengine.pageservice.http.internal.Problem.TYPE_PREFIX + "owner-answer")
                    .setDetail("the owning instance answered " + status);
        }
        return b.build();
    }

    private static String slug(Problem p) {
        String t = p.getType();
        return t.startsWith(io.storageengine.pageservice.http.internal.Problem.TYPE_PREFIX)
                ? t.substring(io.storageengine.pageservice.http.internal.Problem.TYPE_PREFIX.length()) : "other";
    }

    private static void authorize(TokenClaims claims, TimelineKey timeline) {
        if (claims != null) {
            Authenticator.authorize(claims, timeline.tenant());
        }
    }

    private static RelTag requireRel(boolean present, RelTag rel) {
        if (!present) {
            throw ApiException.badRequest("rel is required (spc, db, rel, fork)");
        }
        return rel;
    }

    private static String fork(RelTag rel) {
        return rel.getFork().isEmpty() ? null : rel.getFork();
    }

    private static long u32(int v) {
        return Integer.toUnsignedLong(v);
    }

    private static Lsn lsnOrNull(long v) {
        return v == 0 ? null : Lsn.of(v);
    }
}
