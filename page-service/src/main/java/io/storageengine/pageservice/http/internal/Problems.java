package io.storageengine.pageservice.http.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.failsafe.BulkheadFullException;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.RateLimitExceededException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.storageengine.pageservice.read.PageReadException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * THE place where exceptions become HTTP statuses (page-api.md's error table): {@link #of} maps
 * every exception the page API can meet to a {@link Problem}; {@link #send} writes it as
 * {@code application/problem+json} with {@code Retry-After} where the table requires it.
 * Unexpected exceptions become 500 and are logged with their stack trace. Stateless, thread-safe.
 */
public final class Problems {
    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    /** Problem type of a page whose history holds a record the engine cannot replay (page-api.md 1.1). */
    public static final String REDO_UNSUPPORTED = "redo-unsupported";
    /** Problem type of a page whose history holds a record that does not apply to it. */
    public static final String REDO_FAILED = "redo-failed";

    private Problems() {
    }

    public static Problem of(Throwable t) {
        return switch (t) {
            case ApiException e -> new Problem(e.status(), e.slug(), e.title(), e.getMessage(), e.retryAfter(),
                    Map.of(), e.status() == 401 ? Map.of("WWW-Authenticate", "Bearer") : Map.of());
            case PageReadException.PageNotFound e -> new Problem(404, "page-not-found",
                    "Page has no record at or before the LSN", e.getMessage());
            case PageReadException.TimelineNotFound e -> new Problem(404, "timeline-not-found",
                    "Unknown tenant or timeline", e.getMessage());
            case PageReadException.BelowGcHorizon e -> new Problem(410, "below-gc-horizon",
                    "LSN is older than the garbage-collection horizon", e.getMessage(), null,
                    Map.of("gc_horizon", String.valueOf(e.horizon())), Map.of());
            case PageReadException.WalWaitTimeout e -> new Problem(504, "wal-wait-timeout",
                    "WAL for the LSN did not arrive in time", e.getMessage(), null,
                    Map.of("last_applied_lsn", String.valueOf(e.lastApplied())), Map.of());
            case PageReadException.Unavailable e -> unavailable("not-ready", e.getMessage(), e.retryAfter());
            case PageReadException.DeadlineExceeded e -> unavailable("deadline-exceeded", e.getMessage(), ONE_SECOND);
            case PageReadException.RedoUnsupported e -> new Problem(501, REDO_UNSUPPORTED,
                    "PostgreSQL record kind not replayable yet", e.getMessage(), null,
                    Map.of("rmgr", String.valueOf(e.rmgrId()), "info", String.valueOf(e.info()),
                            "lsn", String.valueOf(e.lsn())), Map.of());
            case PageReadException.RedoFailed e -> new Problem(500, REDO_FAILED,
                    "A record of the page's history does not apply to the page", e.getMessage(), null,
                    Map.of("lsn", String.valueOf(e.lsn())), Map.of());
            case RateLimitExceededException e -> new Problem(429, "rate-limited", "Tenant rate limit exceeded",
                    "the tenant's request rate is over its limit", ONE_SECOND, Map.of(), Map.of());
            case CircuitBreakerOpenException e -> unavailable("circuit-open",
                    "the page store is failing; circuit breaker open", e.getCircuitBreaker().getRemainingDelay());
            case BulkheadFullException e -> unavailable("overloaded",
                    "too many reconstructions in progress", ONE_SECOND);
            // Helidon's own 4xx signals, thrown while reading the request in a handler (e.g. an Accept
            // header it cannot parse): the client's fault, answered as such (a 500 before; found by
            // PageRoutesFuzzTest). Their 5xx stay internal errors below.
            case HttpException e when isClientError(e.status().code()) -> clientError(e.status().code(),
                    e.status().reasonPhrase(), e.getMessage());
            case RequestException e when isClientError(e.status().code()) -> clientError(e.status().code(),
                    e.status().reasonPhrase(), e.getMessage());
            default -> new Problem(500, "internal-error", "Internal error",
                    t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        };
    }

    /** Writes the problem for {@code t}; logs it if the response is already committed. */
    public static void send(ServerRequest req, ServerResponse res, Throwable t) {
        sendProblem(req, res, t);
    }

    /** As {@link #send}, returning the problem sent (null when the client connection is gone). */
    public static Problem sendProblem(ServerRequest req, ServerResponse res, Throwable t) {
        if (t instanceof ServerConnectionException) {
            LOG.debug("client connection lost during {}: {}", req.path().rawPath(), t.toString());
            return null;
        }
        Problem p = of(t);
        if (p.status() == 500) {
            LOG.error("{} {} failed", req.prologue().method().text(), req.path().rawPath(), t);
        }
        if (res.isSent()) {
            LOG.warn("cannot send problem {} for {}: response already sent", p.status(), req.path().rawPath());
            return p;
        }
        send(res, p, req.path().rawPath());
        return p;
    }

    public static void send(ServerResponse res, Problem p, String instance) {
        res.status(p.status());
        res.header(HeaderNames.CONTENT_TYPE, PROBLEM_JSON);
        if (p.retryAfter() != null) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(p.retryAfterSeconds()));
        }
        p.headers().forEach(res::header);
        res.send(body(p, instance));
    }

    public static byte[] body(Problem p, String instance) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", p.type());
        n.put("title", p.title());
        n.put("status", p.status());
        n.put("detail", p.detail());
        if (instance != null) {
            n.put("instance", instance);
        }
        if (p.retryAfter() != null) {
            n.put("retry_after_seconds", p.retryAfterSeconds());
        }
        p.members().forEach(n::put);
        return Json.bytes(n);
    }

    private static boolean isClientError(int code) {
        return code >= 400 && code < 500;
    }

    /** A 4xx problem; the slug is {@code bad-request} for 400, else {@code http-<code>} (a bounded set). */
    private static Problem clientError(int code, String reason, String detail) {
        return new Problem(code, code == 400 ? "bad-request" : "http-" + code, reason == null ? "Client error" : reason,
                detail == null ? reason : detail);
    }

    private static Problem unavailable(String slug, String detail, Duration retryAfter) {
        Duration ra = retryAfter == null || retryAfter.isNegative() || retryAfter.isZero() ? ONE_SECOND : retryAfter;
        return new Problem(503, slug, "Service unavailable", detail, ra, Map.of(), Map.of());
    }
}
