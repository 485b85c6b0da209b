package io.storageengine.pageservice;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.storageengine.pageservice.config.ConfigLoader;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.http.BatchPageService;
import io.storageengine.pageservice.http.HealthService;
import io.storageengine.pageservice.http.NoopService;
import io.storageengine.pageservice.http.OpenApiService;
import io.storageengine.pageservice.http.PageOwnership;
import io.storageengine.pageservice.http.PageService;
import io.storageengine.pageservice.http.Services;
import io.storageengine.pageservice.http.TimelineService;
import io.storageengine.pageservice.http.internal.ApiException;
import io.storageengine.pageservice.http.internal.Problems;
import io.storageengine.pageservice.metrics.MetricsService;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.TimelineStatus;
import io.storageengine.schemas.timeline.TimelineKey;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the page service: configuration → streams engine (materialized page versions,
 * ownership, readiness) → HTTP routing → two sockets, the page API ({@code http.port}, 8080) and
 * the admin socket ({@code http.admin-port}, 9090: /metrics, /health). Shutdown (SIGTERM) stops
 * the web server first (in-flight requests finish within {@code http.shutdown-grace}), then the
 * streams engine. Sockets use TCP_NODELAY and a 16 KiB write buffer so an 8 KiB page leaves in one
 * write without Nagle delays.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    /** Largest request body accepted (batch requests are a few KiB). */
    public static final long MAX_PAYLOAD = 1 << 20;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        PageServiceConfig config = ConfigLoader.load();
        PageMetrics metrics = new PageMetrics();
        // The streams engine (PageStreamsApp) is wired here once it lands; until then the service
        // runs its HTTP surface with a reader that answers 503 and readiness false.
        PageReader reader = new NotWiredReader();
        Services services = Services.create(config, reader, PageOwnership.allLocal(), () -> false, metrics);
        WebServer server = start(config.http(), services);
        LOG.info("page service listening on {}:{} (admin {}), kafka {} topic {}", config.http().host(),
                server.port(), server.port("admin"), config.kafka().bootstrap(), config.kafka().topic());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            server.stop();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    /** Starts both sockets; port 0 picks free ports (tests). */
    public static WebServer start(PageServiceConfig.Http http, Services services) {
        return WebServer.builder()
                .host(http.host())
                .port(http.port())
                .connectionOptions(o -> o.tcpNoDelay(true))
                .writeBufferSize(http.writeBufferSize())
                .maxPayloadSize(MAX_PAYLOAD)
                .shutdownGracePeriod(http.shutdownGrace())
                .shutdownHook(false)
                .routing(r -> routing(r, services))
                .putSocket("admin", s -> s.host(http.host())
                        .port(http.adminPort())
                        .connectionOptions(o -> o.tcpNoDelay(true))
                        .writeBufferSize(http.writeBufferSize())
                        .maxPayloadSize(MAX_PAYLOAD)
                        .routing(r -> adminRouting(r, services)))
                .build()
                .start();
    }

    /** The page API routes (one HttpService per resource); unknown routes get a 404 problem. */
    public static void routing(HttpRouting.Builder routing, Services services) {
        routing.register(new PageService(services), new BatchPageService(services), new TimelineService(services),
                        new HealthService(services), new OpenApiService(services), new NoopService(services))
                .error(Exception.class, Problems::send);
        notFound(routing, services);
    }

    /** The admin socket: Prometheus metrics and health. */
    public static void adminRouting(HttpRouting.Builder routing, Services services) {
        routing.register(new MetricsService(services.metrics()), new HealthService(services))
                .error(Exception.class, Problems::send);
        notFound(routing, services);
    }

    private static void notFound(HttpRouting.Builder routing, Services services) {
        routing.any(services.timed("unmatched", (req, res) -> {
            throw ApiException.notFound("no route for " + req.prologue().method().text() + " " + req.path().rawPath());
        }));
    }

    /** Placeholder until the streams engine is wired: every read is 503. */
    private static final class NotWiredReader implements PageReader {
        @Override
        public PageVersion read(PageRequest request) throws PageReadException {
            throw new PageReadException.Unavailable("streams engine not started", Duration.ofSeconds(1));
        }

        @Override
        public TimelineStatus status(TimelineKey timeline) throws PageReadException {
            throw new PageReadException.Unavailable("streams engine not started", Duration.ofSeconds(1));
        }
    }
}
