package io.storageengine.pageservice.http;

import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.Handler;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.http.internal.Authenticator;
import io.storageengine.pageservice.http.internal.Forwarder;
import io.storageengine.pageservice.http.internal.Problem;
import io.storageengine.pageservice.http.internal.Problems;
import io.storageengine.pageservice.http.internal.Resilience;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.PageReader;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Everything the HTTP services need, built once per process ({@link #create}) and shared by every
 * request: the reader and ownership view from the streams side, readiness, the Failsafe policies,
 * the forwarding client, the authenticator and the metrics. Immutable holder of thread-safe parts.
 */
public record Services(
        PageReader reader,
        Ownership ownership,
        BooleanSupplier ready,
        PageServiceConfig.Read read,
        Resilience resilience,
        Forwarder forwarder,
        Authenticator auth,
        PageMetrics metrics) {

    public Services {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(ownership, "ownership");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(forwarder, "forwarder");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** Builds the policies, the forwarding client and the authenticator from the configuration. */
    public static Services create(PageServiceConfig config, PageReader reader, Ownership ownership,
                                  BooleanSupplier ready, PageMetrics metrics) {
        Resilience resilience = new Resilience(config.rateLimit(), config.breaker(), config.bulkhead(), metrics);
        Forwarder forwarder = new Forwarder(config.forwarding(),
                config.http().advertisedHost() + ":" + config.http().port(), metrics);
        metrics.readiness(ready);
        return new Services(reader, ownership, ready, config.read(), resilience, forwarder,
                new Authenticator(config.auth()), metrics);
    }

    /**
     * Wraps a handler: times it under {@code route} with its final status, and turns any exception
     * into an {@code application/problem+json} response through {@link Problems} (the one place
     * that maps exceptions to statuses).
     */
    public Handler timed(String route, Handler handler) {
        return (req, res) -> {
            long start = System.nanoTime();
            try {
                handler.handle(req, res);
            } catch (ServerConnectionException e) {
                throw e; // the client went away mid-response: nothing to send, Helidon closes the connection
            } catch (Exception e) {
                Problem p = Problems.sendProblem(req, res, e);
                if (p != null) {
                    metrics.problem(route, p.slug());
                }
            } finally {
                metrics.record(route, res.status().code(), System.nanoTime() - start);
            }
        };
    }
}
