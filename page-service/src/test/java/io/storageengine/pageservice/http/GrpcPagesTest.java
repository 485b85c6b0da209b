package io.storageengine.pageservice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.storageengine.pageapi.bench.NoopPages;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.PageServiceGrpc;
import io.storageengine.pageapi.v1.Problem;
import io.storageengine.pageapi.v1.RelTag;
import io.storageengine.pageapi.v1.RelationSizeRequest;
import io.storageengine.pageapi.v1.RoutingRequest;
import io.storageengine.pageapi.v1.RoutingResponse;
import io.storageengine.pageapi.v1.TimelineStatusRequest;
import io.storageengine.pageclient.PageClient;
import io.storageengine.pageclient.PageException;
import io.storageengine.pageclient.PageRequest;
import io.storageengine.pageclient.PageResult;
import io.storageengine.pageclient.RetryPolicy;
import io.storageengine.pageservice.grpc.GrpcServer;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.relations.RelationHistory;
import io.storageengine.pageservice.relations.RelationReader;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The streaming page API (in-process transport) over the HTTP tests' fixtures, so both APIs are held
 * to the same outcomes: {@link FakeReader} picks the outcome by block number, {@link TestServer}
 * builds the configuration and services as Main does (its HTTP port serves the comparison reads and
 * the forwarding target), {@link TestTokens} signs tokens. Covers pipelining, out-of-order answers,
 * bounded read-ahead, every problem → status mapping, rate limiting, auth, forwarding, relation
 * size and timeline status, and streams cancelled mid-flight.
 */
class GrpcPagesTest {
    private static final String TENANT = TestServer.TENANT;
    private static final String TIMELINE = TestServer.TIMELINE;
    private static final TimelineKey TL = TimelineKey.of(TestServer.TENANT, TestServer.TIMELINE_HEX);
    private static final TestTokens TOKENS = new TestTokens();

    private final List<AutoCloseable> open = new ArrayList<>();
    private final RelationHistory history = new RelationHistory();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private TestServer base;
    private String name;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        executor.shutdownNow();
    }

    private void start(Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        base = new TestServer(all);
        open.add(base);
        name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).executor(executor)
                .addService(GrpcServer.definition(base.config.grpc(), base.services,
                        new RelationReader(history, t -> Lsn.ZERO, Duration.ofMillis(100)), executor, () -> "in-process:1"))
                .addService(GrpcServer.noopDefinition(base.config.grpc(), base.services, executor))
                .build().start();
        open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    }

    private ManagedChannel channel() {
        ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
        open.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return ch;
    }

    private PageClient client(RetryPolicy retry, String token, int inFlight) {
        PageClient.Builder b = PageClient.builder().channel(InProcessChannelBuilder.forName(name).build())
                .retry(retry).streamsPerTarget(1).maxInFlightPerStream(inFlight);
        if (token != null) {
            b.bearerToken(token);
        }
        PageClient c = b.build();
        open.add(c);
        return c;
    }

    private static PageRequest page(long block) {
        return new PageRequest(TENANT, TIMELINE, 1663, 5, 16384, "main", block, 0, 0);
    }

    private static PageException failure(CompletableFuture<PageResult> f) {
        Throwable t = catchThrowableOfType(java.util.concurrent.CompletionException.class, f::join).getCause();
        assertThat(t).isInstanceOf(PageException.class);
        return (PageException) t;
    }

    private static void assertProblem(PageException e, Status.Code code, int http, String slug) {
        assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
        assertThat(e.httpStatus()).isEqualTo(http);
        assertThat(e.type()).isEqualTo("https://storage-engine.dev/problems/" + slug);
    }

    @Test
    void pipelinedPagesEqualTheHttpRoute() throws Exception {
        start(Map.of("SE_RATE_LIMIT", "1000000")); // 200 pages at once: above the default 1000/s smooth limit
        PageClient client = client(RetryPolicy.NONE, null, 16);
        List<PageRequest> requests = new ArrayList<>();
        for (int b = 0; b < 200; b++) {
            requests.add(page(b));
        }
        List<PageResult> pages = client.getPages(requests).get(30, TimeUnit.SECONDS);
        for (int b = 0; b < 200; b++) {
            assertThat(pages.get(b).bytes()).isEqualTo(FakeReader.pageFor(b));
            assertThat(pages.get(b).pageLsn()).isEqualTo(FakeReader.PAGE_LSN.value());
            assertThat(pages.get(b).requestLsn()).isEqualTo(FakeReader.NEWEST.value());
        }
        HttpResponse<byte[]> http = base.get(TestServer.pagePath(17) + "?lsn=0/300&fork=main");
        PageResult viaStream = client.getPage(new PageRequest(TENANT, TIMELINE, 1663, 5, 16384, "0", 17,
                Lsn.parse("0/300").value(), 0)).get(10, TimeUnit.SECONDS);
        assertThat(viaStream.bytes()).isEqualTo(http.body());
        assertThat(Lsn.of(viaStream.requestLsn()).toString()).isEqualTo(http.headers().firstValue("Request-Lsn").orElseThrow());
        assertThat(base.services.metrics().scrape()).contains("grpc_page");
    }

    @Test
    void everyProblemMapsToItsStatusAndTheStreamGoesOn() throws Exception {
        start(Map.of());
        PageClient client = client(RetryPolicy.NONE, null, 8);
        assertProblem(failure(client.getPage(page(404))), Status.Code.NOT_FOUND, 404, "page-not-found");
        assertProblem(failure(client.getPage(page(405))), Status.Code.NOT_FOUND, 404, "timeline-not-found");
        PageException gc = failure(client.getPage(page(410)));
        assertProblem(gc, Status.Code.OUT_OF_RANGE, 410, "below-gc-horizon");
        assertThat(gc.members()).containsKey("gc_horizon");
        PageException wait = failure(client.getPage(page(504)));
        assertProblem(wait, Status.Code.DEADLINE_EXCEEDED, 504, "wal-wait-timeout");
        assertThat(wait.members()).containsEntry("last_applied_lsn", "0/180");
        assertProblem(failure(client.getPage(page(501))), Status.Code.UNIMPLEMENTED, 501, "redo-unsupported");
        assertProblem(failure(client.getPage(page(502))), Status.Code.INTERNAL, 500, "redo-failed");
        assertProblem(failure(client.getPage(page(500))), Status.Code.INTERNAL, 500, "internal-error");
        PageException unavailable = failure(client.getPage(page(503)));
        assertProblem(unavailable, Status.Code.UNAVAILABLE, 503, "not-ready");
        assertThat(unavailable.retryAfterMs()).isEqualTo(2000);
        assertProblem(failure(client.getPage(page(599))), Status.Code.UNAVAILABLE, 503, "deadline-exceeded");
        // malformed requests: bad ids, fork, LSN order, missing relation
        assertProblem(failure(client.getPage(new PageRequest("not-a-tenant", TIMELINE, 1663, 5, 16384, "main", 1, 0, 0))),
                Status.Code.INVALID_ARGUMENT, 400, "bad-request");
        assertProblem(failure(client.getPage(new PageRequest(TENANT, "", 1663, 5, 16384, "main", 1, 0, 0))),
                Status.Code.INVALID_ARGUMENT, 400, "bad-request");
        assertProblem(failure(client.getPage(page(1).withFork("branch"))), Status.Code.INVALID_ARGUMENT, 400,
                "bad-request");
        assertProblem(failure(client.getPage(new PageRequest(TENANT, TIMELINE, 1663, 5, 16384, "main", 1, 0x100,
                0x200))), Status.Code.INVALID_ARGUMENT, 400, "bad-request");
        GetPageResponse noRel = rawOne(GetPageRequest.newBuilder().setRequestId(9).setTenant(TENANT).setTimeline(TIMELINE).build());
        assertThat(noRel.getRequestId()).isEqualTo(9);
        assertThat(noRel.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(noRel.getError().getDetail()).contains("rel");
        // the client's stream survived all of it
        assertThat(client.getPage(page(3)).get(10, TimeUnit.SECONDS).bytes()).isEqualTo(FakeReader.pageFor(3));
        assertThat(base.services.metrics().scrape()).contains("page-not-found");
    }

    @Test
    void oneRequestReadsSeveralBlocksInOrderAndSharesOneFate() throws Exception {
        start(Map.of("SE_MAX_BATCH", "8"));
        GetPageRequest.Builder r = GetPageRequest.newBuilder().setRequestId(5).setTenant(TENANT).setTimeline(TIMELINE)
                .setRel(io.storageengine.pageapi.v1.RelTag.newBuilder().setSpc(1663).setDb(5).setRel(16384))
                .setBlock(7).addAllMoreBlocks(List.of(3, 9, 1));
        GetPageResponse ok = rawOne(r.build());
        assertThat(ok.getRequestId()).isEqualTo(5);
        assertThat(ok.getPage().getData().toByteArray()).isEqualTo(FakeReader.pageFor(7));
        assertThat(ok.getMorePagesList()).extracting(p -> p.getData().toByteArray())
                .containsExactly(FakeReader.pageFor(3), FakeReader.pageFor(9), FakeReader.pageFor(1));
        assertThat(ok.getMorePagesList()).allMatch(p -> p.getRequestLsn() == FakeReader.NEWEST.value());
        assertThat(base.services.metrics().scrape()).contains("se_grpc_pages_total 4.0");

        GetPageResponse oneMissing = rawOne(r.clearMoreBlocks().addAllMoreBlocks(List.of(3, 404, 1)).build());
        assertThat(oneMissing.hasError()).isTrue();
        assertThat(oneMissing.getError().getType()).endsWith("/page-not-found");
        assertThat(oneMissing.getMorePagesCount()).isZero();

        GetPageResponse tooMany = rawOne(r.clearMoreBlocks().addAllMoreBlocks(List.of(1, 2, 3, 4, 5, 6, 8, 10)).build()); // 9 pages
        assertThat(tooMany.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(tooMany.getError().getDetail()).contains("at most 8 pages");
    }

    @Test
    void answersLeaveOutOfOrder() throws Exception {
        start(Map.of());
        PageClient client = client(RetryPolicy.NONE, null, 8);
        CompletableFuture<PageResult> slow = client.getPage(page(700));
        assertThat(base.reader.blocked.await(10, TimeUnit.SECONDS)).isTrue();
        PageResult fast = client.getPage(page(1)).get(10, TimeUnit.SECONDS); // answered while 700 is still being read
        assertThat(fast.bytes()).isEqualTo(FakeReader.pageFor(1));
        assertThat(slow).isNotDone();
        base.reader.gate.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS).bytes()).isEqualTo(FakeReader.pageFor(700));
    }

    @Test
    void theServerReadsAtMostMaxInFlightRequestsAhead() throws Exception {
        start(Map.of("SE_GRPC_MAX_IN_FLIGHT", "3"));
        Collect answers = new Collect();
        StreamObserver<GetPageRequest> requests = PageServiceGrpc.newStub(channel()).getPages(answers);
        for (int i = 1; i <= 10; i++) {
            requests.onNext(raw(i, 700));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (base.reader.requests.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300); // room for a fourth read, which flow control must not allow
        assertThat(base.reader.requests).hasSize(3);
        base.reader.gate.countDown();
        requests.onCompleted();
        List<GetPageResponse> all = answers.await();
        assertThat(all).hasSize(10);
        assertThat(all).extracting(GetPageResponse::getRequestId).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L,
                8L, 9L, 10L);
        assertThat(all).allMatch(GetPageResponse::hasPage);
    }

    @Test
    void rateLimitedRequestsAreToldToSlowDownAtOnce() throws Exception {
        start(Map.of("SE_RATE_LIMIT", "1", "SE_RATE_LIMIT_MAX_WAIT", "0ms"));
        PageClient client = client(RetryPolicy.NONE, null, 8);
        client.getPage(page(1)).get(10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        PageException e = failure(client.getPage(page(2)));
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
        assertProblem(e, Status.Code.RESOURCE_EXHAUSTED, 429, "rate-limited");
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfterMs()).isPositive();
    }

    @Test
    void tokensAreCheckedAsOnHttp() throws Exception {
        start(TOKENS.env());
        PageException none = failure(client(RetryPolicy.NONE, null, 8).getPage(page(1)));
        assertProblem(none, Status.Code.UNAUTHENTICATED, 401, "unauthorized");
        PageException bad = failure(client(RetryPolicy.NONE, "not.a.token", 8).getPage(page(1)));
        assertProblem(bad, Status.Code.UNAUTHENTICATED, 401, "unauthorized");
        PageClient other = client(RetryPolicy.NONE, TOKENS.tenant(AuthTest.OTHER_TENANT), 8);
        assertProblem(failure(other.getPage(page(1))), Status.Code.PERMISSION_DENIED, 403, "forbidden");
        PageException st = catchThrowableOfType(PageException.class, () -> other.timelineStatus(TENANT, TIMELINE));
        assertProblem(st, Status.Code.PERMISSION_DENIED, 403, "forbidden");
        PageClient mine = client(RetryPolicy.NONE, TOKENS.tenant(TENANT), 8);
        assertThat(mine.getPage(page(4)).get(10, TimeUnit.SECONDS).bytes()).isEqualTo(FakeReader.pageFor(4));
        assertThat(mine.timelineStatus(TENANT, TIMELINE).lastAppliedLsn()).isEqualTo(FakeReader.NEWEST.value());
        PageClient admin = client(RetryPolicy.NONE, TOKENS.all(), 8);
        assertThat(admin.getPage(page(5)).get(10, TimeUnit.SECONDS).bytes()).isEqualTo(FakeReader.pageFor(5));
    }

    @Test
    void pagesOfAnotherInstanceAreForwardedToItsHttpRoute() throws Exception {
        start(Map.of());
        TestServer owner = new TestServer();
        open.add(owner);
        base.ownership = key -> new Ownership.Remote(1, "127.0.0.1", owner.port());
        PageClient client = client(RetryPolicy.NONE, null, 8);
        PageResult r = client.getPage(page(42)).get(10, TimeUnit.SECONDS);
        assertThat(r.bytes()).isEqualTo(FakeReader.pageFor(42));
        assertThat(r.pageLsn()).isEqualTo(FakeReader.PAGE_LSN.value());
        assertThat(owner.reader.requests).hasSize(1);
        assertThat(base.reader.requests).isEmpty();
        PageException e = failure(client.getPage(page(410)));
        assertProblem(e, Status.Code.OUT_OF_RANGE, 410, "below-gc-horizon");
        assertThat(e.members()).containsEntry("gc_horizon", "0/50");
        base.ownership = key -> new Ownership.Unavailable(1, Duration.ofSeconds(1), "rebalancing");
        assertProblem(failure(client.getPage(page(1))), Status.Code.UNAVAILABLE, 503, "partition-unavailable");
    }

    @Test
    void relationSizeAndTimelineStatus() throws Exception {
        start(Map.of());
        PageClient client = client(RetryPolicy.NONE, null, 8);
        assertProblem(catchThrowableOfType(PageException.class, () -> client.relationSize(TENANT, TIMELINE, 1663, 5,
                16384, "main", 0x150)), Status.Code.UNAVAILABLE, 503, "not-ready");
        RelFork main = RelFork.of(1663, 5, 16384, Fork.MAIN);
        history.partitions(1);
        history.apply(0, TL, main, new RelationRecord.Size(0x100, 7, true));
        history.apply(0, TL, null, new RelationRecord.Watermark(0x200));
        history.loaded();
        PageClient.RelationSize size = client.relationSize(TENANT, TIMELINE, 1663, 5, 16384, "main", 0x150);
        assertThat(size.exists()).isTrue();
        assertThat(size.nblocks()).isEqualTo(7);
        assertThat(size.requestLsn()).isEqualTo(0x150);
        assertThat(client.relationSize(TENANT, TIMELINE, 1663, 5, 16384, "main", 0xFF).exists()).isFalse();
        assertProblem(catchThrowableOfType(PageException.class, () -> client.relationSize(TENANT,
                "00000000000000000000000000000001", 1663, 5, 16384, "main", 0x150)),
                Status.Code.NOT_FOUND, 404, "timeline-not-found");
        assertProblem(catchThrowableOfType(PageException.class, () -> client.relationSize(TENANT, TIMELINE, 1663, 5,
                16384, "nofork", 0x150)), Status.Code.INVALID_ARGUMENT, 400, "bad-request");

        PageClient.TimelineStatus s = client.timelineStatus(TENANT, TIMELINE);
        assertThat(s.lastAppliedLsn()).isEqualTo(FakeReader.NEWEST.value());
        assertThat(s.durableLsn()).isEqualTo(Lsn.parse("0/150").value());
        assertThat(s.gcHorizon()).isEqualTo(Lsn.parse("0/50").value());
        assertProblem(catchThrowableOfType(PageException.class, () -> client.timelineStatus(TENANT,
                "00000000000000000000000000000405")), Status.Code.NOT_FOUND, 404, "timeline-not-found");
        StatusRuntimeException raw = catchThrowableOfType(StatusRuntimeException.class, () -> PageServiceGrpc
                .newBlockingStub(channel()).getTimelineStatus(TimelineStatusRequest.newBuilder().setTenant("x").build()));
        assertThat(raw.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        Problem p = raw.getTrailers().get(PageClient.PROBLEM_KEY);
        assertThat(p.getType()).endsWith("/bad-request");
        assertThat(p.getHttpStatus()).isEqualTo(400);
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> PageServiceGrpc.newBlockingStub(channel())
                .getRelationSize(RelationSizeRequest.newBuilder().setTenant(TENANT).setTimeline(TIMELINE).build()))
                .getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void routingNamesThisInstanceAndThePartitionOwners() throws Exception {
        start(Map.of());
        var stub = PageServiceGrpc.newBlockingStub(channel());
        RoutingResponse unknown = stub.getRouting(RoutingRequest.getDefaultInstance());
        assertThat(unknown.getPartitionCount()).isZero(); // the fixture's ownership knows no partitions
        assertThat(unknown.getHttpAddress()).isEqualTo(base.config.http().advertisedHost() + ":"
                + base.config.http().port());
        assertThat(unknown.getGrpcAddress()).isEqualTo("in-process:1");
        assertThat(unknown.getOwnersList()).isEmpty();
    }

    @Test
    void aStreamCancelledWithReadsInFlightLeavesTheServerServing() throws Exception {
        start(Map.of());
        Collect answers = new Collect();
        StreamObserver<GetPageRequest> requests = PageServiceGrpc.newStub(channel()).getPages(answers);
        requests.onNext(raw(1, 700));
        assertThat(base.reader.blocked.await(10, TimeUnit.SECONDS)).isTrue();
        requests.onError(Status.CANCELLED.asRuntimeException());
        base.reader.gate.countDown();
        PageClient client = client(RetryPolicy.NONE, null, 8);
        assertThat(client.getPage(page(6)).get(10, TimeUnit.SECONDS).bytes()).isEqualTo(FakeReader.pageFor(6));
    }

    @Test
    void theNoopStreamAnswersConstantPagesWithoutReading() throws Exception {
        start(Map.of());
        Collect answers = new Collect();
        StreamObserver<GetPageRequest> requests = noopStream(answers);
        requests.onNext(raw(1, 3).toBuilder().setLsn(0x300).addMoreBlocks(4).addMoreBlocks(5).build());
        requests.onNext(raw(2, 700).toBuilder().setTenant("not-a-tenant").build()); // not parsed: still answered
        requests.onCompleted();
        List<GetPageResponse> all = answers.await();
        assertThat(all).extracting(GetPageResponse::getRequestId).containsExactlyInAnyOrder(1L, 2L);
        GetPageResponse three = all.stream().filter(r -> r.getRequestId() == 1).findFirst().orElseThrow();
        assertThat(three.getMorePagesCount()).isEqualTo(2);
        for (io.storageengine.pageapi.v1.Page p : List.of(three.getPage(), three.getMorePages(0), three.getMorePages(1))) {
            assertThat(p.getData().toByteArray()).isEqualTo(new byte[8192]);
            assertThat(p.getPageLsn()).isEqualTo(0x300);
            assertThat(p.getRequestLsn()).isEqualTo(0x300);
        }
        assertThat(base.reader.requests).isEmpty(); // block 700 would have blocked a read
        assertThat(base.services.metrics().scrape()).contains("route=\"grpc_noop\"");
    }

    @Test
    void theNoopStreamChecksTokensAsGetPagesDoes() throws Exception {
        start(TOKENS.env());
        Collect answers = new Collect();
        StreamObserver<GetPageRequest> requests = noopStream(answers);
        requests.onNext(raw(1, 3));
        requests.onCompleted();
        StatusRuntimeException e = catchThrowableOfType(java.util.concurrent.ExecutionException.class, answers::await)
                .getCause() instanceof StatusRuntimeException s ? s : null;
        assertThat(e).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    private StreamObserver<GetPageRequest> noopStream(Collect answers) {
        return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
                channel().newCall(NoopPages.GET_PAGES, io.grpc.CallOptions.DEFAULT), answers);
    }

    private static GetPageRequest raw(long id, long block) {
        return GetPageRequest.newBuilder().setRequestId(id).setTenant(TENANT).setTimeline(TIMELINE)
                .setRel(RelTag.newBuilder().setSpc(1663).setDb(5).setRel(16384)).setBlock((int) block).build();
    }

    private GetPageResponse rawOne(GetPageRequest r) throws Exception {
        Collect answers = new Collect();
        StreamObserver<GetPageRequest> requests = PageServiceGrpc.newStub(channel()).getPages(answers);
        requests.onNext(r);
        requests.onCompleted();
        List<GetPageResponse> all = answers.await();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** Collects a stream's answers until it completes. */
    private static final class Collect implements StreamObserver<GetPageResponse> {
        final LinkedBlockingQueue<GetPageResponse> answers = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public void onNext(GetPageResponse r) {
            answers.add(r);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }

        List<GetPageResponse> await() throws Exception {
            done.get(10, TimeUnit.SECONDS);
            return new ArrayList<>(answers);
        }
    }
}
