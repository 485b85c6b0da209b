package io.storageengine.runtime.admin;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storageengine.runtime.failpoint.Failpoints;
import io.storageengine.runtime.failpoint.FailpointsEndpoint;
import java.time.Duration;

/**
 * The admin endpoints as a server of their own (Helidon SE): {@code /metrics} and {@code /health}
 * on an {@link AdminSocket}, for processes whose only HTTP is administrative (compactor worker,
 * ingest), plus {@code GET|PUT /failpoints} when the process has {@link Failpoints}. Unknown paths
 * answer 404. {@link #close} stops it within a second. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private final WebServer server;

    private AdminServer(WebServer server) {
        this.server = server;
    }

    /** Starts {@code /metrics} for {@code registry} and {@code /health} for {@code health}. */
    public static AdminServer start(AdminSocket socket, PrometheusMeterRegistry registry, Health.Check health) {
        return start(socket, MetricsEndpoint.of(registry), new HealthEndpoint(health));
    }

    /** As above, plus the failpoint routes ({@link FailpointsEndpoint}: {@code GET|PUT /failpoints}). */
    public static AdminServer start(AdminSocket socket, PrometheusMeterRegistry registry, Health.Check health,
                                    Failpoints failpoints) {
        return start(socket, MetricsEndpoint.of(registry), new HealthEndpoint(health), new FailpointsEndpoint(failpoints));
    }

    /** Starts {@code /metrics}, {@code /health} and any {@code more} services (e.g. {@link FailpointsEndpoint}). */
    public static AdminServer start(AdminSocket socket, MetricsEndpoint metrics, HealthEndpoint health, HttpService... more) {
        WebServer server = socket.configure(WebServer.builder())
                .shutdownHook(false)
                .shutdownGracePeriod(Duration.ofMillis(500))
                .routing(r -> routing(r, metrics, health, more))
                .build()
                .start();
        return new AdminServer(server);
    }

    /**
     * The admin routes, for a socket of another server (the page service's {@code admin} socket),
     * plus {@code more} services (e.g. {@link FailpointsEndpoint}).
     */
    public static void routing(HttpRouting.Builder routing, MetricsEndpoint metrics, HealthEndpoint health,
                               HttpService... more) {
        routing.register(metrics, health);
        if (more.length > 0) {
            routing.register(more);
        }
    }

    /** The bound port (the chosen one when the socket asked for 0). */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
