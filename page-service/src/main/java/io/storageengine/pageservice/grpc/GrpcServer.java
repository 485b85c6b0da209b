package io.storageengine.pageservice.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.storageengine.pageapi.bench.NoopPages;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.PageServiceGrpc;
import io.storageengine.pageapi.v1.RelationSizeRequest;
import io.storageengine.pageapi.v1.RelationSizeResponse;
import io.storageengine.pageapi.v1.RoutingRequest;
import io.storageengine.pageapi.v1.RoutingResponse;
import io.storageengine.pageapi.v1.TimelineStatusRequest;
import io.storageengine.pageapi.v1.TimelineStatusResponse;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.auth.TokenClaims;
import io.storageengine.pageservice.grpc.internal.AuthInterceptor;
import io.storageengine.pageservice.grpc.internal.NoopReads;
import io.storageengine.pageservice.grpc.internal.PageReads;
import io.storageengine.pageservice.grpc.internal.PageStream;
import io.storageengine.pageservice.http.Services;
import io.storageengine.pageservice.relations.RelationReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The streaming page API's server: grpc-java on Netty, port {@code grpc.port} of {@code http.host},
 * every call (and every request of a stream) on a virtual thread, the {@link AuthInterceptor} in
 * front, {@code PageService} of page_service.proto behind it. Started and stopped by {@code Main}
 * with the HTTP server. The same server also answers the noop stream ({@link NoopPages}), the
 * benchmark's transport baseline. {@link #close} stops taking calls and lets in-flight ones finish for
 * {@code grpc.shutdown-grace}. Thread-safe.
 */
public final class GrpcServer implements AutoCloseable {
    /** Largest message accepted (a request is a few dozen bytes; answers are pages). */
    private static final int MAX_INBOUND = 64 * 1024;

    private final Server server;
    private final ExecutorService executor;
    private final PageServiceConfig.Grpc config;

    private GrpcServer(Server server, ExecutorService executor, PageServiceConfig.Grpc config) {
        this.server = server;
        this.executor = executor;
        this.config = config;
    }

    /**
     * Starts on {@code host:grpc.port} (0: a free port); {@code advertisedHost} names it in
     * {@code GetRouting} answers. @throws UncheckedIOException when the port cannot be bound
     */
    public static GrpcServer start(String host, String advertisedHost, PageServiceConfig.Grpc config,
                                   Services services, RelationReader relations) {
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("grpc-", 0).factory());
        AtomicReference<String> self = new AtomicReference<>(advertisedHost + ":" + config.port());
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, config.port()))
                .executor(executor)
                .maxInboundMessageSize(MAX_INBOUND)
                .addService(definition(config, services, relations, executor, self::get))
                .addService(noopDefinition(config, services, executor))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen for gRPC on " + host + ":" + config.port(), e);
        }
        self.set(advertisedHost + ":" + server.getPort());
        return new GrpcServer(server, executor, config);
    }

    /**
     * The service with its auth interceptor, for any server builder (in-process in tests);
     * {@code executor} runs the reads of stream requests (virtual threads: reads block);
     * {@code grpcAddress} is this server's advertised address for {@code GetRouting}.
     */
    public static ServerServiceDefinition definition(PageServiceConfig.Grpc config, Services services,
                                                     RelationReader relations, Executor executor,
                                                     Supplier<String> grpcAddress) {
        return ServerInterceptors.intercept(new Service(new PageReads(services, relations), executor,
                config.maxInFlight(), grpcAddress), new AuthInterceptor(services.auth(), services.metrics()));
    }

    /**
     * The noop stream ({@link NoopPages}): the same flow control, executor and auth as
     * {@code GetPages}, constant pages instead of reads.
     */
    public static ServerServiceDefinition noopDefinition(PageServiceConfig.Grpc config, Services services,
                                                         Executor executor) {
        NoopReads noop = new NoopReads(services.metrics(), services.read().maxBatch());
        ServerServiceDefinition def = ServerServiceDefinition.builder(NoopPages.SERVICE)
                .addMethod(NoopPages.GET_PAGES, ServerCalls.asyncBidiStreamingCall(
                        responses -> new PageStream(responses, noop::answer, executor, config.maxInFlight())))
                .build();
        return ServerInterceptors.intercept(def, new AuthInterceptor(services.auth(), services.metrics()));
    }

    public int port() {
        return server.getPort();
    }

    /** Stops taking new calls (in-flight ones go on); {@link #close} then waits for them. */
    public void shutdown() {
        server.shutdown();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        executor.shutdownNow();
    }

    /** The generated service's methods, each delegating to {@link PageReads}. */
    private static final class Service extends PageServiceGrpc.PageServiceImplBase {
        private final PageReads reads;
        private final Executor executor;
        private final int maxInFlight;
        private final Supplier<String> grpcAddress;

        Service(PageReads reads, Executor executor, int maxInFlight, Supplier<String> grpcAddress) {
            this.reads = reads;
            this.executor = executor;
            this.maxInFlight = maxInFlight;
            this.grpcAddress = grpcAddress;
        }

        @Override
        public void getRouting(RoutingRequest request, StreamObserver<RoutingResponse> responses) {
            unary(() -> reads.routing(grpcAddress.get()), responses);
        }

        @Override
        public StreamObserver<GetPageRequest> getPages(StreamObserver<GetPageResponse> responses) {
            TokenClaims claims = AuthInterceptor.CLAIMS.get();
            String authorization = AuthInterceptor.AUTHORIZATION.get();
            return new PageStream(responses, r -> reads.page(r, claims, authorization), executor, maxInFlight);
        }

        @Override
        public void getRelationSize(RelationSizeRequest request, StreamObserver<RelationSizeResponse> responses) {
            unary(() -> reads.relation(request, AuthInterceptor.CLAIMS.get()), responses);
        }

        @Override
        public void getTimelineStatus(TimelineStatusRequest request, StreamObserver<TimelineStatusResponse> responses) {
            unary(() -> reads.timeline(request, AuthInterceptor.CLAIMS.get()), responses);
        }

        private static <T> void unary(Supplier<T> call, StreamObserver<T> responses) {
            T answer;
            try {
                answer = call.get();
            } catch (RuntimeException e) {
                responses.onError(e);
                return;
            }
            responses.onNext(answer);
            responses.onCompleted();
        }
    }
}
