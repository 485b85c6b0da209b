package io.storageengine.pageclient;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.Page;
import io.storageengine.pageapi.v1.PageServiceGrpc;
import io.storageengine.pageapi.v1.Problem;
import io.storageengine.pageapi.v1.RelTag;
import io.storageengine.pageapi.v1.RelationSizeRequest;
import io.storageengine.pageapi.v1.RelationSizeResponse;
import io.storageengine.pageapi.v1.RoutingRequest;
import io.storageengine.pageapi.v1.RoutingResponse;
import io.storageengine.pageapi.v1.TimelineStatusRequest;
import io.storageengine.pageapi.v1.TimelineStatusResponse;
import io.storageengine.pageclient.internal.ClientMetrics;
import io.storageengine.pageclient.internal.OwnerRouting;
import io.storageengine.pageclient.internal.PageStreamConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Client of the streaming page API. Per page-service instance ({@link Builder#target}) one gRPC
 * channel (HTTP/2, one TCP connection) carrying {@code streamsPerTarget} {@code GetPages} streams;
 * each stream pipelines up to {@code maxInFlightPerStream} requests matched by request id.
 * {@link #getPage} returns at once with a future; when every stream of the chosen instance is full,
 * it blocks until a slot frees (back pressure) or the request's deadline passes. Failures with a
 * retryable code (UNAVAILABLE, RESOURCE_EXHAUSTED) are retried per {@link RetryPolicy}; every other
 * outcome completes the future, with a {@link PageException} on error. Each page goes straight to
 * the target that owns its partition, learnt from every target's {@code GetRouting} answer
 * ({@link #refreshRouting}); when the owner is not known (starting, rebalancing, owner not among
 * the targets) it goes to any target, round-robin, which forwards it to the owner (one more hop).
 * Metrics: see {@link ClientMetrics}. Thread-safe; close it to release
 * channels and the retry timer.
 */
public final class PageClient implements AutoCloseable {
    /** Trailer of a failed call carrying its problem ({@code storageengine.page.v1.problem-bin}). */
    public static final Metadata.Key<Problem> PROBLEM_KEY = ProtoUtils.keyForProto(Problem.getDefaultInstance());
    private static final long ROUTING_REFRESH_MIN_GAP = TimeUnit.MILLISECONDS.toNanos(500);

    private final List<Target> targets;
    private final Function<PageRequest, Integer> router; // the caller's, or null: owners, else round-robin
    private final OwnerRouting owners = new OwnerRouting();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long lastRefresh;
    private volatile boolean closed;
    private final RetryPolicy retry;
    private final ClientMetrics metrics;
    private final ScheduledExecutorService timer;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final int maxPagesPerRequest;

    private PageClient(Builder b) {
        List<ClientInterceptor> interceptors = new ArrayList<>();
        if (b.bearerToken != null) {
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + b.bearerToken);
            interceptors.add(MetadataUtils.newAttachHeadersInterceptor(auth));
        }
        List<Target> ts = new ArrayList<>();
        for (ManagedChannel ch : b.channels) {
            ClientInterceptor[] is = interceptors.toArray(ClientInterceptor[]::new);
            ts.add(new Target(ch, PageServiceGrpc.newStub(ch).withInterceptors(is),
                    PageServiceGrpc.newBlockingStub(ch).withInterceptors(is), b.streamsPerTarget, b.maxInFlightPerStream));
        }
        this.targets = List.copyOf(ts);
        this.retry = b.retry;
        this.metrics = new ClientMetrics(b.registry);
        this.router = b.router;
        this.maxPagesPerRequest = b.maxPagesPerRequest;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("page-client-timer")
                .factory());
        if (b.router == null && b.routingRefresh != null) {
            timer.scheduleWithFixedDelay(() -> Thread.ofVirtual().start(this::refreshQuietly), 0,
                    b.routingRefresh.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Asks every target who owns which partition now ({@code GetRouting}) and routes pages by the
     * answers from then on; blocks for at most a few seconds. Also runs periodically
     * ({@link Builder#routingRefresh}) and after retryable failures. A target that does not answer
     * is left out; a page whose owner is unknown goes to any target (which forwards it).
     * @return partitions now routed straight to their owner
     */
    public int refreshRouting() {
        List<RoutingResponse> answers = new ArrayList<>(targets.size());
        for (Target t : targets) {
            try {
                answers.add(t.blocking.withDeadlineAfter(2, TimeUnit.SECONDS).getRouting(RoutingRequest.getDefaultInstance()));
            } catch (RuntimeException e) {
                answers.add(null); // unreachable, or a server without routing: that target is not an owner here
            }
        }
        lastRefresh = System.nanoTime();
        return owners.update(answers);
    }

    private void refreshQuietly() {
        if (refreshing.compareAndSet(false, true)) {
            try {
                refreshRouting();
            } finally {
                refreshing.set(false);
            }
        }
    }

    /** The target of an attempt carrying {@code pages} pages routed as {@code r}. */
    private int targetFor(PageRequest r, int pages) {
        if (router != null) {
            return router.apply(r);
        }
        int owner = owners.targetOf(r.tenant(), r.timeline(), r.spc(), r.db(), r.rel(), r.fork(), r.block());
        metrics.routed(owner >= 0, pages);
        return owner >= 0 ? owner : Math.floorMod(roundRobin.getAndIncrement(), targets.size());
    }

    /** Where {@code r} would go now, for grouping a batch (no metrics; -1: owner unknown, any target). */
    private int groupTarget(PageRequest r) {
        return router != null ? router.apply(r)
                : owners.targetOf(r.tenant(), r.timeline(), r.spc(), r.db(), r.rel(), r.fork(), r.block());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The page, or a future failed with a {@link PageException}. May block while the chosen instance's streams are full. */
    public CompletableFuture<PageResult> getPage(PageRequest request) {
        Call c = new Call(List.of(request), System.nanoTime());
        attempt(c);
        return c.result.thenApply(pages -> pages.get(0));
    }

    /**
     * A batch, the results in request order; the future fails with the first failure's
     * {@link PageException}. Pages of the same relation fork at the same LSN that go to the same
     * instance travel as one wire request ({@code block} + {@code more_blocks}, at most
     * {@link Builder#maxPagesPerRequest} pages, sharing one fate); the wire requests are pipelined
     * at once and answered in any order.
     */
    public CompletableFuture<List<PageResult>> getPages(List<PageRequest> requests) {
        int n = requests.size();
        PageResult[] results = new PageResult[n];
        Map<GroupKey, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            PageRequest r = requests.get(i);
            groups.computeIfAbsent(new GroupKey(groupTarget(r), r.withBlock(0)), k -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        long start = System.nanoTime();
        for (List<Integer> indexes : groups.values()) {
            for (int from = 0; from < indexes.size(); from += maxPagesPerRequest) {
                List<Integer> chunk = indexes.subList(from, Math.min(indexes.size(), from + maxPagesPerRequest));
                Call c = new Call(chunk.stream().map(requests::get).toList(), start);
                attempt(c);
                fs.add(c.result.thenAccept(pages -> {
                    for (int k = 0; k < chunk.size(); k++) {
                        results[chunk.get(k)] = pages.get(k);
                    }
                }));
            }
        }
        return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).thenApply(v -> Arrays.asList(results));
    }

    /** Pages that may share a wire request: same instance, same request but for the block. */
    private record GroupKey(int target, PageRequest blockless) {
    }

    /** smgrexists / smgrnblocks as of {@code lsn} (0: newest), retried like pages. @throws PageException */
    public RelationSize relationSize(String tenant, String timeline, long spc, long db, long rel, String fork,
                                     long lsn) {
        RelationSizeRequest req = RelationSizeRequest.newBuilder().setTenant(tenant).setTimeline(timeline)
                .setRel(RelTag.newBuilder().setSpc((int) spc).setDb((int) db).setRel((int) rel)
                        .setFork(fork == null ? "main" : fork)).setLsn(lsn).build();
        RelationSizeResponse r = unary(t -> t.blocking.withDeadlineAfter(retry.deadline().toMillis(), TimeUnit.MILLISECONDS)
                .getRelationSize(req));
        return new RelationSize(r.getExists(), r.getNblocks(), r.getRequestLsn());
    }

    /** The timeline's status on one instance. @throws PageException */
    public TimelineStatus timelineStatus(String tenant, String timeline) {
        TimelineStatusRequest req = TimelineStatusRequest.newBuilder().setTenant(tenant).setTimeline(timeline).build();
        TimelineStatusResponse r = unary(t -> t.blocking.withDeadlineAfter(retry.deadline().toMillis(), TimeUnit.MILLISECONDS)
                .getTimelineStatus(req));
        return new TimelineStatus(r.getLastAppliedLsn(), r.getDurableLsn(), r.getGcHorizon());
    }

    /** Relation fork size answer. */
    public record RelationSize(boolean exists, long nblocks, long requestLsn) {
    }

    /** Timeline progress on the instance asked. */
    public record TimelineStatus(long lastAppliedLsn, long durableLsn, long gcHorizon) {
    }

    public MeterRegistry metrics() {
        return metrics.registry();
    }

    /**
     * Closes the channels; every request not answered yet fails ({@code CANCELLED}, or the status
     * its stream ended with), none is left pending.
     */
    @Override
    public void close() {
        closed = true;
        for (Target t : targets) {
            t.close();
        }
        for (Runnable dropped : timer.shutdownNow()) {
            dropped.run(); // retries that were waiting: each now fails at once
        }
    }

    private <T> T unary(Function<Target, T> call) {
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            metrics.attempt();
            try {
                return call.apply(targets.get(Math.floorMod(roundRobin.getAndIncrement(), targets.size())));
            } catch (RuntimeException e) {
                PageException p = PageException.of(e, PROBLEM_KEY);
                long delay = retryDelay(p, attempt, start);
                if (delay < 0) {
                    throw p;
                }
                metrics.retry(p.code().name());
                try {
                    TimeUnit.NANOSECONDS.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw p;
                }
            }
        }
    }

    /** Nanoseconds to wait before the next attempt, or -1 when {@code failure} is final. */
    private long retryDelay(PageException failure, int attempts, long start) {
        if (!failure.retryable() || attempts >= retry.maxAttempts()) {
            return -1;
        }
        long delay = retry.backoffNanos(attempts, failure.retryAfterMs(), ThreadLocalRandom.current());
        return System.nanoTime() + delay - start > retry.deadline().toNanos() ? -1 : delay;
    }

    /** One wire request (one page, or several of one relation fork at one LSN) across its attempts. */
    private static final class Call {
        final List<PageRequest> requests;
        final PageRequest request; // the first: routing, and everything but the block for the others
        final long start;
        final CompletableFuture<List<PageResult>> result = new CompletableFuture<>();
        int attempts;

        Call(List<PageRequest> requests, long start) {
            this.requests = requests;
            this.request = requests.get(0);
            this.start = start;
        }

        GetPageRequest toProto(long requestId) {
            if (requests.size() == 1) {
                return request.toProto(requestId);
            }
            GetPageRequest.Builder b = request.toProto(requestId).toBuilder();
            for (int i = 1; i < requests.size(); i++) {
                b.addMoreBlocks((int) requests.get(i).block());
            }
            return b.build();
        }

        long remainingNanos(Duration deadline) {
            return deadline.toNanos() - (System.nanoTime() - start);
        }
    }

    private void attempt(Call c) {
        if (closed) {
            fail(c, new PageException(Status.Code.CANCELLED, 0, "", "the page client is closed", 0, Map.of(), null));
            return;
        }
        c.attempts++;
        metrics.attempt();
        long remaining = c.remainingNanos(retry.deadline());
        CompletableFuture<GetPageResponse> f;
        try {
            f = remaining <= 0 ? null : targets.get(targetFor(c.request, c.requests.size())).send(c::toProto, remaining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(c, new PageException(Status.Code.CANCELLED, 0, "", "interrupted", 0, Map.of(), e));
            return;
        } catch (RuntimeException e) {
            onFailure(c, PageException.of(e, PROBLEM_KEY));
            return;
        }
        if (f == null) {
            fail(c, new PageException(Status.Code.DEADLINE_EXCEEDED, 0, "", "no free stream slot within the deadline "
                    + retry.deadline().toMillis() + " ms", 0, Map.of(), null));
            return;
        }
        f.orTimeout(Math.max(1, c.remainingNanos(retry.deadline())), TimeUnit.NANOSECONDS).whenComplete((r, t) -> {
            if (t != null) {
                Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                onFailure(c, cause instanceof TimeoutException
                        ? new PageException(Status.Code.DEADLINE_EXCEEDED, 0, "", "no answer within the deadline "
                                + retry.deadline().toMillis() + " ms", 0, Map.of(), cause)
                        : PageException.of(cause, PROBLEM_KEY));
            } else if (r.hasPage() && r.getMorePagesCount() != c.requests.size() - 1) {
                fail(c, new PageException(Status.Code.INTERNAL, 0, "", "the page service answered "
                        + (1 + r.getMorePagesCount()) + " pages for a request of " + c.requests.size(), 0, Map.of(), null));
            } else if (r.hasPage()) {
                metrics.done("ok", System.nanoTime() - c.start);
                List<PageResult> pages = new ArrayList<>(c.requests.size());
                pages.add(result(r.getPage()));
                for (Page p : r.getMorePagesList()) {
                    pages.add(result(p));
                }
                c.result.complete(pages);
            } else {
                onFailure(c, PageException.of(r.getError()));
            }
        });
    }

    private static PageResult result(Page p) {
        return new PageResult(p.getData(), p.getPageLsn(), p.getRequestLsn());
    }

    private void onFailure(Call c, PageException e) {
        long delay = retryDelay(e, c.attempts, c.start);
        if (delay < 0 || closed) {
            fail(c, e);
            return;
        }
        metrics.retry(e.code().name());
        if (router == null && System.nanoTime() - lastRefresh > ROUTING_REFRESH_MIN_GAP) {
            lastRefresh = System.nanoTime(); // ownership may have moved: refresh soon, at most twice a second
            Thread.ofVirtual().start(this::refreshQuietly);
        }
        // attempts may block on a full stream: never on the timer thread nor on gRPC's
        try {
            timer.schedule(() -> Thread.ofVirtual().start(() -> attempt(c)), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            fail(c, e); // the client was closed: no more attempts
        }
    }

    private void fail(Call c, PageException e) {
        metrics.done(e.code().name(), System.nanoTime() - c.start);
        c.result.completeExceptionally(e);
    }

    /** One instance: its channel and its pool of streams. */
    private static final class Target {
        final ManagedChannel channel;
        final PageServiceGrpc.PageServiceStub stub;
        final PageServiceGrpc.PageServiceBlockingStub blocking;
        final AtomicReferenceArray<PageStreamConnection> streams;
        final int maxInFlight;
        final AtomicInteger next = new AtomicInteger();

        Target(ManagedChannel channel, PageServiceGrpc.PageServiceStub stub,
               PageServiceGrpc.PageServiceBlockingStub blocking, int streams, int maxInFlight) {
            this.channel = channel;
            this.stub = stub;
            this.blocking = blocking;
            this.streams = new AtomicReferenceArray<>(streams);
            this.maxInFlight = maxInFlight;
        }

        /** Sends on the first stream with a free slot, else waits on one up to {@code waitNanos}; null if none. */
        CompletableFuture<GetPageResponse> send(Function<Long, GetPageRequest> toProto, long waitNanos)
                throws InterruptedException {
            int n = streams.length();
            int first = Math.floorMod(next.getAndIncrement(), n);
            for (int k = 0; k < n; k++) {
                CompletableFuture<GetPageResponse> f = stream((first + k) % n).trySend(toProto, 0);
                if (f != null) {
                    return f;
                }
            }
            return stream(first).trySend(toProto, waitNanos);
        }

        private PageStreamConnection stream(int i) {
            PageStreamConnection c = streams.get(i);
            while (c == null || c.broken()) {
                PageStreamConnection fresh = new PageStreamConnection(stub, maxInFlight);
                if (streams.compareAndSet(i, c, fresh)) {
                    return fresh;
                }
                fresh.close();
                c = streams.get(i);
            }
            return c;
        }

        void close() {
            for (int i = 0; i < streams.length(); i++) {
                PageStreamConnection c = streams.get(i);
                if (c != null) {
                    c.close();
                }
            }
            channel.shutdown();
            try {
                if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }
    }

    /** Settings of a {@link PageClient}. Not thread-safe; build once. */
    public static final class Builder {
        private final List<ManagedChannel> channels = new ArrayList<>();
        private int streamsPerTarget = 2;
        private int maxInFlightPerStream = 128;
        private int maxPagesPerRequest = 64;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private String bearerToken;
        private Function<PageRequest, Integer> router;
        private Duration routingRefresh = Duration.ofSeconds(5);

        /** A page service's gRPC address, {@code host:port} (plaintext HTTP/2). */
        public Builder target(String hostPort) {
            return channel(NettyChannelBuilder.forTarget(hostPort).usePlaintext().build());
        }

        /** A channel built by the caller (TLS, in-process for tests...); the client owns and closes it. */
        public Builder channel(ManagedChannel channel) {
            channels.add(Objects.requireNonNull(channel, "channel"));
            return this;
        }

        public Builder streamsPerTarget(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("streamsPerTarget must be >= 1");
            }
            this.streamsPerTarget = n;
            return this;
        }

        public Builder maxInFlightPerStream(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlightPerStream must be >= 1");
            }
            this.maxInFlightPerStream = n;
            return this;
        }

        /**
         * The most pages {@link #getPages} puts in one wire request (default 64, the service's
         * default {@code read.max-batch}; 1 sends every page as its own request).
         */
        public Builder maxPagesPerRequest(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxPagesPerRequest must be >= 1");
            }
            this.maxPagesPerRequest = n;
            return this;
        }

        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder meterRegistry(MeterRegistry r) {
            this.registry = Objects.requireNonNull(r, "registry");
            return this;
        }

        /** Sent as {@code authorization: Bearer <token>} on every call. */
        public Builder bearerToken(String token) {
            this.bearerToken = token;
            return this;
        }

        /**
         * Picks the target (index in the order added) for each page, replacing owner routing.
         * Round-robin, say: {@code r -> next.getAndIncrement() % n}.
         */
        public Builder router(Function<PageRequest, Integer> r) {
            this.router = r;
            return this;
        }

        /**
         * How often the partition owners are asked again (default 5 s); null turns owner routing
         * off (pages round-robin over the targets, and instances forward what they do not own).
         */
        public Builder routingRefresh(Duration every) {
            this.routingRefresh = every;
            return this;
        }

        public PageClient build() {
            if (channels.isEmpty()) {
                throw new IllegalStateException("at least one target");
            }
            return new PageClient(this);
        }
    }
}
