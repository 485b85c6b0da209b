package io.storageengine.pageservice.http.internal;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.metrics.PageMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Forwards a request for a page another instance owns to that instance and relays its answer
 * unchanged (status, body and the page headers). Uses one JDK {@link HttpClient} (HTTP/1.1,
 * keep-alive pool); a semaphore bounds in-flight forwards, and so open connections, to
 * {@code forwarding.max-connections}. Each forward carries {@link #FORWARDED_BY}; an instance that
 * receives a forwarded request for a page it does not own answers 503 instead of forwarding again
 * (no loops while ownership moves). Owner unreachable or too slow → 503 with {@code Retry-After}.
 * Thread-safe.
 */
public final class Forwarder {
    public static final String FORWARDED_BY = "SE-Forwarded-By";
    public static final HeaderName FORWARDED_BY_HEADER = HeaderNames.create(FORWARDED_BY);
    private static final List<String> RELAYED_HEADERS = List.of(
            "Content-Type", "Page-Lsn", "Request-Lsn", "Retry-After", "WWW-Authenticate");
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final HttpClient client;
    private final Semaphore inFlight;
    private final PageServiceConfig.Forwarding config;
    private final String self;
    private final PageMetrics metrics;

    public Forwarder(PageServiceConfig.Forwarding config, String self, PageMetrics metrics) {
        this.config = config;
        this.self = self;
        this.metrics = metrics;
        this.inFlight = new Semaphore(config.maxConnections());
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** This instance's page API address ({@code advertised-host:port}), as other instances forward to it. */
    public String self() {
        return self;
    }

    /** True when this request was itself forwarded by another instance. */
    public static boolean isForwarded(ServerRequest req) {
        return req.headers().contains(FORWARDED_BY_HEADER);
    }

    /** Forwards {@code req} (same path and query) to {@code owner} and relays the answer into {@code res}. */
    public void relay(ServerRequest req, ServerResponse res, Ownership.Remote owner) {
        String query = req.query().rawValue();
        String target = req.path().rawPath() + (query == null || query.isEmpty() ? "" : "?" + query);
        HttpRequest.Builder b = request(req, owner, target).GET();
        HttpResponse<byte[]> r = send(b.build(), owner);
        res.status(r.statusCode());
        for (String h : RELAYED_HEADERS) {
            r.headers().firstValue(h).ifPresent(v -> res.header(h, v));
        }
        res.send(r.body());
    }

    /**
     * GETs {@code target} (path and query of a page route) from {@code owner} as the gRPC stream's
     * forwarding hop: page bytes ({@code Accept: application/octet-stream}) with the client's
     * {@code authorization} value relayed (null: none). The caller interprets the response.
     */
    public HttpResponse<byte[]> get(Ownership.Remote owner, String target, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":" + owner.port() + target))
                .timeout(config.requestTimeout())
                .header(FORWARDED_BY, self)
                .header("Accept", "application/octet-stream")
                .GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build(), owner);
    }

    /** POSTs {@code body} to {@code path} on {@code owner}; the caller interprets the response. */
    public HttpResponse<byte[]> post(ServerRequest req, Ownership.Remote owner, String path, String contentType,
                                     String accept, byte[] body) {
        HttpRequest.Builder b = request(req, owner, path)
                .header("Content-Type", contentType)
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return send(b.build(), owner);
    }

    private HttpRequest.Builder request(ServerRequest req, Ownership.Remote owner, String target) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":" + owner.port() + target))
                .timeout(config.requestTimeout())
                .header(FORWARDED_BY, self);
        req.headers().first(HeaderNames.ACCEPT).ifPresent(v -> b.header("Accept", v));
        req.headers().first(HeaderNames.AUTHORIZATION).ifPresent(v -> b.header("Authorization", v));
        return b;
    }

    private HttpResponse<byte[]> send(HttpRequest request, Ownership.Remote owner) {
        boolean permit;
        try {
            permit = inFlight.tryAcquire(config.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            permit = false;
        }
        if (!permit) {
            metrics.forwardFailed();
            throw ApiException.unavailable("forwarding-overloaded",
                    "too many requests being forwarded to other instances", RETRY);
        }
        try {
            metrics.forwarded();
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            metrics.forwardFailed();
            throw ApiException.unavailable("owner-unreachable", "the instance owning this page ("
                    + owner.host() + ":" + owner.port() + ") is unreachable: " + e.getClass().getSimpleName(), RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.forwardFailed();
            throw ApiException.unavailable("owner-unreachable", "interrupted while forwarding", RETRY);
        } finally {
            inFlight.release();
        }
    }
}
