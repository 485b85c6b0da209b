package io.storageengine.pageclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.Page;
import io.storageengine.pageapi.v1.PageServiceGrpc;
import io.storageengine.pageapi.v1.Problem;
import io.storageengine.pageapi.v1.TimelineStatusRequest;
import io.storageengine.pageapi.v1.TimelineStatusResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PageClient} against a scripted in-process page service: answers matched by request id
 * whatever their order, retries of retryable problems and broken streams with backoff (bounded by
 * attempts and by the deadline), final failures as {@link PageException}, bounded in-flight
 * requests, the bearer token in metadata, the batching helper and the metrics.
 */
class PageClientTest {
    private static final RetryPolicy FAST = new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(10),
            Duration.ofSeconds(5));

    /** What the fake does with each request of a stream (stream number from 1). */
    interface Script {
        void handle(int stream, GetPageRequest r, StreamObserver<GetPageResponse> out);
    }

    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private volatile Script script;
    private String name;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private PageClient start(Script s, RetryPolicy retry, int maxInFlight, String token) throws Exception {
        this.script = s;
        name = InProcessServerBuilder.generateName();
        PageServiceGrpc.PageServiceImplBase impl = new PageServiceGrpc.PageServiceImplBase() {
            @Override
            public StreamObserver<GetPageRequest> getPages(StreamObserver<GetPageResponse> out) {
                int n = streams.incrementAndGet();
                return new StreamObserver<>() {
                    @Override
                    public void onNext(GetPageRequest r) {
                        script.handle(n, r, out);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                };
            }

            @Override
            public void getTimelineStatus(TimelineStatusRequest r, StreamObserver<TimelineStatusResponse> out) {
                out.onNext(TimelineStatusResponse.newBuilder().setLastAppliedLsn(0x200).build());
                out.onCompleted();
            }
        };
        Server server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(impl, new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call,
                            Metadata headers, io.grpc.ServerCallHandler<Q, A> next) {
                        authorization.set(headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)));
                        return next.startCall(call, headers);
                    }
                })).build().start();
        open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        PageClient.Builder b = PageClient.builder().channel(InProcessChannelBuilder.forName(name).directExecutor().build())
                .retry(retry).streamsPerTarget(1).maxInFlightPerStream(maxInFlight);
        if (token != null) {
            b.bearerToken(token);
        }
        PageClient c = b.build();
        open.add(c);
        return c;
    }

    private static PageRequest req(long block) {
        return PageRequest.of("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210", 5, 16384,
                block, 0);
    }

    /** The answer to every block of {@code r}: a one-byte page holding the block number. */
    static GetPageResponse page(GetPageRequest r) {
        GetPageResponse.Builder b = GetPageResponse.newBuilder().setRequestId(r.getRequestId())
                .setPage(fakePage(r.getBlock()));
        r.getMoreBlocksList().forEach(block -> b.addMorePages(fakePage(block)));
        return b.build();
    }

    private static Page.Builder fakePage(int block) {
        return Page.newBuilder().setData(ByteString.copyFrom(new byte[] {(byte) block})).setPageLsn(0x100)
                .setRequestLsn(0x200);
    }

    static GetPageResponse problem(GetPageRequest r, Status.Code code, int http, String slug, int retryAfterMs) {
        return GetPageResponse.newBuilder().setRequestId(r.getRequestId()).setError(Problem.newBuilder()
                .setCode(code.value()).setHttpStatus(http).setType("https://storage-engine.dev/problems/" + slug)
                .setDetail(slug + " detail").setRetryAfterMs(retryAfterMs)).build();
    }

    private static PageException failure(CompletableFuture<PageResult> f) {
        Throwable t = catchThrowableOfType(CompletionException.class, f::join).getCause();
        assertThat(t).isInstanceOf(PageException.class);
        return (PageException) t;
    }

    private static double count(MeterRegistry r, String name) {
        return r.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void answersAreMatchedByRequestIdInAnyOrder() throws Exception {
        List<GetPageRequest> held = new CopyOnWriteArrayList<>();
        AtomicReference<StreamObserver<GetPageResponse>> stream = new AtomicReference<>();
        PageClient c = start((n, r, out) -> {
            stream.set(out);
            held.add(r);
        }, RetryPolicy.NONE, 64, null);
        List<CompletableFuture<PageResult>> fs = new ArrayList<>();
        for (int b = 0; b < 20; b++) {
            fs.add(c.getPage(req(b)));
        }
        assertThat(held).hasSize(20);
        assertThat(held).extracting(GetPageRequest::getRequestId).doesNotHaveDuplicates();
        for (int i = held.size() - 1; i >= 0; i--) { // answer in reverse
            stream.get().onNext(page(held.get(i)));
        }
        for (int b = 0; b < 20; b++) {
            PageResult p = fs.get(b).get(5, TimeUnit.SECONDS);
            assertThat(p.bytes()).containsExactly((byte) b);
            assertThat(p.pageLsn()).isEqualTo(0x100);
        }
        assertThat(streams.get()).isEqualTo(1); // all pipelined on one stream
    }

    @Test
    void retryableProblemsAreRetriedWithBackoffThenSucceed() throws Exception {
        Map<Long, AtomicInteger> tries = new ConcurrentHashMap<>();
        PageClient c = start((n, r, out) -> {
            int k = tries.computeIfAbsent((long) r.getBlock(), x -> new AtomicInteger()).incrementAndGet();
            out.onNext(k == 1 ? problem(r, Status.Code.UNAVAILABLE, 503, "not-ready", 1)
                    : k == 2 ? problem(r, Status.Code.RESOURCE_EXHAUSTED, 429, "rate-limited", 1) : page(r));
        }, FAST, 8, null);
        assertThat(c.getPage(req(7)).get(5, TimeUnit.SECONDS).bytes()).containsExactly((byte) 7);
        assertThat(tries.get(7L).get()).isEqualTo(3);
        assertThat(count(c.metrics(), "se.client.page.retries")).isEqualTo(2);
        assertThat(count(c.metrics(), "se.client.page.attempts")).isEqualTo(3);
        assertThat(c.metrics().find("se.client.page.requests").tag("outcome", "ok").timer().count()).isEqualTo(1);
    }

    @Test
    void otherProblemsAreFinalAtOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PageClient c = start((n, r, out) -> {
            calls.incrementAndGet();
            out.onNext(problem(r, Status.Code.NOT_FOUND, 404, "page-not-found", 0));
        }, FAST, 8, null);
        PageException e = failure(c.getPage(req(1)));
        assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.httpStatus()).isEqualTo(404);
        assertThat(e.type()).endsWith("/page-not-found");
        assertThat(e.retryable()).isFalse();
        assertThat(calls.get()).isEqualTo(1);
        assertThat(c.metrics().find("se.client.page.requests").tag("outcome", "NOT_FOUND").timer().count()).isEqualTo(1);
    }

    @Test
    void retriesStopAtMaxAttempts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PageClient c = start((n, r, out) -> {
            calls.incrementAndGet();
            out.onNext(problem(r, Status.Code.RESOURCE_EXHAUSTED, 429, "rate-limited", 0));
        }, FAST, 8, null);
        PageException e = failure(c.getPage(req(1)));
        assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(calls.get()).isEqualTo(FAST.maxAttempts());
    }

    @Test
    void retriesStopAtTheDeadline() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy policy = new RetryPolicy(1000, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(400));
        PageClient c = start((n, r, out) -> {
            calls.incrementAndGet();
            out.onNext(problem(r, Status.Code.UNAVAILABLE, 503, "not-ready", 100));
        }, policy, 8, null);
        long start = System.nanoTime();
        PageException e = failure(c.getPage(req(1)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(calls.get()).isBetween(2, 8); // waits of at least 100 ms (the server's hint) within 400 ms
        assertThat(ms).isLessThan(3000);
    }

    @Test
    void aBrokenStreamFailsItsRequestsWhichAreRetriedOnAFreshStream() throws Exception {
        PageClient c = start((n, r, out) -> {
            if (n == 1) {
                out.onError(Status.UNAVAILABLE.withDescription("server going away").asRuntimeException());
            } else {
                out.onNext(page(r));
            }
        }, FAST, 8, null);
        assertThat(c.getPage(req(9)).get(5, TimeUnit.SECONDS).bytes()).containsExactly((byte) 9);
        assertThat(streams.get()).isEqualTo(2);
        PageClient noRetry = PageClient.builder().channel(InProcessChannelBuilder.forName(name).directExecutor().build())
                .retry(RetryPolicy.NONE).build();
        open.add(noRetry);
        streams.set(0);
        PageException e = failure(noRetry.getPage(req(9)));
        assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getMessage()).contains("server going away");
    }

    @Test
    void inFlightRequestsPerStreamAreBounded() throws Exception {
        List<GetPageRequest> held = new CopyOnWriteArrayList<>();
        AtomicReference<StreamObserver<GetPageResponse>> stream = new AtomicReference<>();
        PageClient c = start((n, r, out) -> {
            stream.set(out);
            held.add(r);
        }, RetryPolicy.NONE, 2, null);
        CompletableFuture<PageResult> a = c.getPage(req(1));
        CompletableFuture<PageResult> b = c.getPage(req(2));
        CompletableFuture<CompletableFuture<PageResult>> third = CompletableFuture.supplyAsync(() -> c.getPage(req(3)));
        Thread.sleep(200);
        assertThat(third).as("the third request waits for a slot").isNotDone();
        assertThat(held).hasSize(2);
        stream.get().onNext(page(held.get(0)));
        assertThat(a.get(5, TimeUnit.SECONDS).bytes()).containsExactly((byte) 1);
        CompletableFuture<PageResult> c3 = third.get(5, TimeUnit.SECONDS);
        assertThat(held).hasSize(3);
        stream.get().onNext(page(held.get(1)));
        stream.get().onNext(page(held.get(2)));
        assertThat(b.get(5, TimeUnit.SECONDS).bytes()).containsExactly((byte) 2);
        assertThat(c3.get(5, TimeUnit.SECONDS).bytes()).containsExactly((byte) 3);
    }

    @Test
    void batchesKeepRequestOrderAndFailOnTheFirstFailure() throws Exception {
        List<GetPageRequest> seen = new CopyOnWriteArrayList<>();
        PageClient c = start((n, r, out) -> {
            seen.add(r);
            out.onNext(r.getBlock() == 13 || r.getMoreBlocksList().contains(13)
                    ? problem(r, Status.Code.NOT_FOUND, 404, "page-not-found", 0) : page(r));
        }, RetryPolicy.NONE, 4, null);
        List<PageRequest> batch = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            batch.add(req(b));
        }
        List<PageResult> pages = c.getPages(batch).get(5, TimeUnit.SECONDS);
        for (int b = 0; b < 10; b++) {
            assertThat(pages.get(b).bytes()).containsExactly((byte) b);
        }
        assertThat(seen).hasSize(1); // one relation at one LSN: one wire request
        assertThat(seen.get(0).getBlock()).isZero();
        assertThat(seen.get(0).getMoreBlocksList()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        batch.add(req(13));
        Throwable t = catchThrowableOfType(CompletionException.class, () -> c.getPages(batch).join()).getCause();
        assertThat(((PageException) t).code()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void batchesSplitByRelationLsnAndTheRequestSizeLimit() throws Exception {
        List<GetPageRequest> seen = new CopyOnWriteArrayList<>();
        PageClient c = start((n, r, out) -> {
            seen.add(r);
            out.onNext(page(r));
        }, RetryPolicy.NONE, 16, null);
        List<PageRequest> batch = new ArrayList<>();
        for (int b = 0; b < 70; b++) { // 64 + 6 of one relation at LSN 0
            batch.add(req(b));
        }
        batch.add(req(5).withSpc(1664)); // another tablespace
        batch.add(PageRequest.of("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210", 5, 16384,
                3, 0x500)); // another LSN
        List<PageResult> pages = c.getPages(batch).get(5, TimeUnit.SECONDS);
        assertThat(pages).hasSize(72);
        for (int i = 0; i < 72; i++) {
            assertThat(pages.get(i).bytes()).containsExactly((byte) batch.get(i).block());
        }
        assertThat(seen).extracting(r -> 1 + r.getMoreBlocksCount()).containsExactlyInAnyOrder(64, 6, 1, 1);
    }

    @Test
    void anAnswerWithTheWrongNumberOfPagesIsAnError() throws Exception {
        PageClient c = start((n, r, out) -> out.onNext(GetPageResponse.newBuilder().setRequestId(r.getRequestId())
                .setPage(fakePage(r.getBlock())).build()), RetryPolicy.NONE, 4, null); // ignores more_blocks
        Throwable t = catchThrowableOfType(CompletionException.class,
                () -> c.getPages(List.of(req(1), req(2))).join()).getCause();
        assertThat(((PageException) t).code()).isEqualTo(Status.Code.INTERNAL);
    }

    @Test
    void theBearerTokenTravelsInMetadata() throws Exception {
        PageClient c = start((n, r, out) -> out.onNext(page(r)), RetryPolicy.NONE, 4, "tok.en.sig");
        c.getPage(req(1)).get(5, TimeUnit.SECONDS);
        assertThat(authorization.get()).isEqualTo("Bearer tok.en.sig");
        assertThat(c.timelineStatus("t", "l").lastAppliedLsn()).isEqualTo(0x200);
    }

    @Test
    void closingTheClientFailsWhatIsStillPending() throws Exception {
        PageClient c = start((n, r, out) -> { }, FAST, 8, null); // never answers
        CompletableFuture<PageResult> pending = c.getPage(req(1));
        c.close();
        PageException e = failure(pending);
        assertThat(e.code()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
    }
}
