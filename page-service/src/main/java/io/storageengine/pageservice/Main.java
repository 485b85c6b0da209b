package io.storageengine.pageservice;

import io.helidon.http.DirectHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.storageengine.pageservice.cold.ColdTier;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.grpc.GrpcServer;
import io.storageengine.pageservice.http.BatchPageService;
import io.storageengine.pageservice.http.NoopService;
import io.storageengine.pageservice.http.OpenApiService;
import io.storageengine.pageservice.http.OwnershipService;
import io.storageengine.pageservice.http.PageService;
import io.storageengine.pageservice.http.RelationService;
import io.storageengine.pageservice.http.Services;
import io.storageengine.pageservice.http.TimelineService;

import io.storageengine.pageservice.http.internal.ApiException;
import io.storageengine.pageservice.http.internal.AuthFilter;
import io.storageengine.pageservice.http.internal.ProblemDirectHandler;
import io.storageengine.pageservice.http.internal.Problems;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.relations.RelationFollower;
import io.storageengine.pageservice.relations.RelationHistory;
import io.storageengine.pageservice.relations.RelationReader;
import io.storageengine.pageservice.streams.PageStreamsApp;
import io.storageengine.pageservice.streams.StreamsBinding;
import io.storageengine.pageservice.streams.StreamsSettings;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.runtime.admin.AdminServer;
import io.storageengine.runtime.admin.AdminSocket;
import io.storageengine.runtime.admin.Health;
import io.storageengine.runtime.admin.HealthEndpoint;
import io.storageengine.runtime.admin.MetricsEndpoint;
import io.storageengine.runtime.admin.ProcessMemory;
import io.storageengine.runtime.failpoint.Failpoints;
import io.storageengine.runtime.failpoint.FailpointsEndpoint;
import io.storageengine.runtime.logging.JulToSlf4j;
import io.storageengine.schemas.kafka.RelationTopic;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the page service and its composition root: configuration → cold tier → streams
 * engine (materialized page versions, ownership, readiness, the cold tier's trimmer in its
 * topology) → read path ({@link ReadPath}: hot stores, then the cold tier) → HTTP routing → two
 * sockets, the page API ({@code http.port}, 8080) and the admin socket ({@code http.admin-port},
 * 9090: /metrics, /health, the runtime library's admin endpoints on a named socket of the same
 * server, and /failpoints), plus the streaming page API (gRPC, {@code grpc.port}, 8090; {@link GrpcServer}).
 * The process's {@link Failpoints} (drills and tests: {@code SE_FAILPOINTS} at start,
 * {@code PUT /failpoints} on the admin port) reach the cold tier's segment reads ({@code segment-read}).
 * Shutdown (SIGTERM) stops the gRPC server and the web server first (in-flight requests finish
 * within {@code grpc.shutdown-grace} and {@code http.shutdown-grace}), then the streams engine.
 * Sockets use TCP_NODELAY and a 16 KiB write buffer so an 8 KiB page leaves in one write without
 * Nagle delays.
 */
public final class Main {
    static {
        // This module's log4j2.xml, even when a test jar's log4j2-test.xml is on the runtime class
        // path (it would take precedence); an explicit -Dlog4j2.configurationFile still wins.
        if (System.getProperty("log4j2.configurationFile") == null && Main.class.getResource("/log4j2.xml") != null) {
            System.setProperty("log4j2.configurationFile", "classpath:log4j2.xml");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    /** Largest request body accepted (batch requests are a few KiB). */
    public static final long MAX_PAYLOAD = 1 << 20;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        JulToSlf4j.install();
        PageServiceConfig config = PageServiceConfig.load();
        PageMetrics metrics = new PageMetrics();
        Failpoints failpoints = Failpoints.fromEnvironment(System.getenv(), metrics.registry());
        ColdTier cold = ColdTier.create(config.cold(), metrics.registry(), failpoints);
        // disk_free_bytes / disk_total_bytes{path=...} of the state (RocksDB) and segment directories
        // (monitoring/alerts.yml, DiskFilling / DiskWillFill)
        new DiskSpaceMetrics(Path.of(config.kafka().stateDir()).toFile()).bindTo(metrics.registry());
        ProcessMemory.register(metrics.registry(),
                ProcessMemory.budgetBytes(config.memory().budgetMb(), config.kafka().rocksDbMemoryMb()));
        if (config.cold().enabled()) {
            new DiskSpaceMetrics(Path.of(config.cold().segmentDir()).toFile()).bindTo(metrics.registry());
        }
        PageStreamsApp app;
        try {
            app = PageStreamsApp.start(streamsSettings(config), cold.trimming());
        } catch (RuntimeException e) {
            cold.close(); // its refresh thread would otherwise keep a failed process alive
            throw e;
        }
        cold.start(app.partitionCount());
        StreamsBinding binding = StreamsBinding.bind(metrics, app);
        long maxLag = config.read().readyMaxLag();
        PageReader reader = ReadPath.of(app, cold.source(), config.read().waitTimeout(),
                config.read().pageCachePages(), metrics.registry());
        Services services = Services.create(config, reader, app.ownership(),
                () -> app.ready() && caughtUp(app.ownership().partitions(), maxLag), metrics);
        // Relation metadata: every instance follows the whole <wal>-relations topic (docs/relations.md).
        RelationHistory relationHistory = new RelationHistory();
        RelationFollower relations = RelationFollower.start(config.kafka().bootstrap(),
                RelationTopic.nameFor(config.kafka().topic()), relationHistory, cold.source()::gcHorizon,
                metrics.registry());
        RelationReader relationReader = new RelationReader(relationHistory, cold.source()::gcHorizon,
                config.read().waitTimeout());
        WebServer server;
        GrpcServer grpc = null;
        try {
            server = start(config.http(), services, cold::catalogHealth, failpoints,
                    new RelationService(services, relationReader));
            try {
                grpc = config.grpc().enabled()
                        ? GrpcServer.start(config.http().host(), config.http().advertisedHost(), config.grpc(),
                        services, relationReader) : null;
            } catch (RuntimeException e) {
                server.stop();
                throw e;
            }
        } catch (RuntimeException e) {
            relations.close();
            binding.close();
            app.close();
            cold.close();
            throw e;
        }
        LOG.info("page service listening on {}:{} (admin {}, gRPC {}), advertised {}:{}, kafka {} topic {}",
                config.http().host(), server.port(), server.port("admin"), grpc == null ? "off" : grpc.port(),
                config.http().advertisedHost(), config.http().port(), config.kafka().bootstrap(), config.kafka().topic());
        CountDownLatch stopped = new CountDownLatch(1);
        GrpcServer grpcServer = grpc;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: gRPC and HTTP first, then streams");
            if (grpcServer != null) {
                grpcServer.shutdown(); // both drain at once
            }
            server.stop();
            if (grpcServer != null) {
                grpcServer.close();
            }
            relations.close();
            binding.close();
            app.close();
            cold.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    /** The streams engine's settings from the {@code kafka} config section (and the advertised page API). */
    public static StreamsSettings streamsSettings(PageServiceConfig config) {
        PageServiceConfig.Kafka k = config.kafka();
        return StreamsSettings.defaults(k.bootstrap(), Path.of(k.stateDir()),
                        config.http().advertisedHost() + ":" + config.http().port())
                .withApplicationId(k.applicationId())
                .withWalTopic(k.topic())
                .withStandbyReplicas(k.standbyReplicas())
                .withStreamThreads(k.streamThreads())
                .withRocksDbMemoryBytes((long) k.rocksDbMemoryMb() << 20)
                .withStandbyReadMaxLag(k.standbyReadMaxLag())
                .withGroupMembership(k.groupInstanceId(), k.sessionTimeout())
                .withExtraProperties(k.properties());
    }

    /**
     * Readiness beyond "Streams running and restored": every active partition's lag is known and at
     * most {@code maxLag} records, so a fresh instance does not take traffic while it replays the WAL.
     */
    public static boolean caughtUp(List<Ownership.PartitionStatus> partitions, long maxLag) {
        for (Ownership.PartitionStatus p : partitions) {
            if (p.role() == PartitionMarks.Role.ACTIVE && (p.lag() < 0 || p.lag() > maxLag)) {
                return false;
            }
        }
        return true;
    }

    /** Starts both sockets, with {@code extra} services on the API socket; port 0 picks free ports (tests). */
    public static WebServer start(PageServiceConfig.Http http, Services services, HttpService... extra) {
        return start(http, services, () -> null, extra);
    }

    /** {@link #start(PageServiceConfig.Http, Services, HttpService...)} with the catalog pools' health in {@code /health}. */
    public static WebServer start(PageServiceConfig.Http http, Services services,
                                  java.util.function.Supplier<Object> catalogHealth, HttpService... extra) {
        return start(http, services, catalogHealth, Failpoints.none(), extra);
    }

    /**
     * As above, with {@code failpoints} on the admin socket ({@code GET|PUT /failpoints}) and the
     * points that are on listed in {@code /health} ({@code failpoints}).
     */
    public static WebServer start(PageServiceConfig.Http http, Services services,
                                  java.util.function.Supplier<Object> catalogHealth, Failpoints failpoints,
                                  HttpService... extra) {
        return WebServer.builder()
                .host(http.host())
                .port(http.port())
                .connectionOptions(o -> o.tcpNoDelay(true))
                .writeBufferSize(http.writeBufferSize())
                .maxPayloadSize(MAX_PAYLOAD)
                .directHandlers(Main::problemDirectHandlers)
                .shutdownGracePeriod(http.shutdownGrace())
                .shutdownHook(false)
                .routing(r -> routing(r, services, catalogHealth, failpoints, extra))
                .putSocket("admin", s -> new AdminSocket(http.host(), http.adminPort(), http.writeBufferSize())
                        .configure(s)
                        .maxPayloadSize(MAX_PAYLOAD)
                        .directHandlers(Main::problemDirectHandlers)
                        .routing(r -> adminRouting(r, services, catalogHealth, failpoints)))
                .build()
                .start();
    }

    private static void problemDirectHandlers(DirectHandlers.Builder builder) {
        ProblemDirectHandler handler = new ProblemDirectHandler();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
    }

    /** The page API routes (one HttpService per resource, plus {@code extra}); unknown routes get a 404 problem. */
    public static void routing(HttpRouting.Builder routing, Services services, HttpService... extra) {
        routing(routing, services, () -> null, Failpoints.none(), extra);
    }

    private static void routing(HttpRouting.Builder routing, Services services,
                                java.util.function.Supplier<Object> catalogHealth, Failpoints failpoints,
                                HttpService... extra) {
        if (services.auth().enabled()) { // off: nothing to check, and a filter costs every request a chain hop
            routing.addFilter(new AuthFilter(services.auth(), services.metrics())); // every route of the API socket
        }
        routing.register(new PageService(services), new BatchPageService(services), new TimelineService(services),
                        health(services, catalogHealth, failpoints), new OpenApiService(services), new NoopService(services))
                .error(Exception.class, Problems::send);
        if (extra.length > 0) {
            routing.register(extra);
        }
        notFound(routing, services);
    }

    /** The admin socket: Prometheus metrics, health and {@code /ownership} (partitions held here). */
    public static void adminRouting(HttpRouting.Builder routing, Services services) {
        adminRouting(routing, services, () -> null, Failpoints.none());
    }

    private static void adminRouting(HttpRouting.Builder routing, Services services,
                                     java.util.function.Supplier<Object> catalogHealth, Failpoints failpoints) {
        AdminServer.routing(routing, new MetricsEndpoint(services.metrics()::scrape), health(services, catalogHealth, failpoints),
                new FailpointsEndpoint(failpoints));
        routing.register(new OwnershipService(services));
        routing.error(Exception.class, Problems::send);
        notFound(routing, services);
    }

    /**
     * {@code /health} and {@code /health/live} on both ports: live while serving, ready when the
     * streams side is (see {@link #caughtUp}); timed under the route {@code health}. {@code catalog}:
     * the catalog pools (shown once the cold tier reached the catalog; not part of readiness, hot reads
     * work without it); {@code failpoints}: the failpoints that are on (shown only while one is: a
     * drill in progress, or one left on by mistake).
     */
    private static HealthEndpoint health(Services services, java.util.function.Supplier<Object> catalogHealth,
                                         Failpoints failpoints) {
        return new HealthEndpoint(Health.readiness(services.ready()).withDetail("catalog", catalogHealth)
                .withDetail("failpoints", () -> {
                    List<String> on = failpoints.active();
                    return on.isEmpty() ? null : on;
                }), services::timed);
    }

    private static void notFound(HttpRouting.Builder routing, Services services) {
        routing.any(services.timed("unmatched", (req, res) -> {
            throw ApiException.notFound("no route for " + req.prologue().method().text() + " " + req.path().rawPath());
        }));
    }
}
