package io.storageengine.pageservice.http.internal;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.storageengine.pageservice.auth.TokenClaims;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.schemas.timeline.TenantId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * THE authentication check of the page API: one routing filter in front of every route of the API
 * socket (pages, batch, relations, timeline status, noop, and unknown paths); only {@code /health…}
 * and {@code /openapi} are open. When {@code auth} is enabled it verifies the bearer token
 * ({@link Authenticator}: 401) and, for a request naming a tenant (the {@code /v1/tenants/{tenant}/…}
 * path, or {@code tenant_id} of {@code /v1/pages/…}), that the token covers it (403; a
 * {@code pageserverapi} token covers every tenant). Rate limits are then keyed by the tenant the
 * route names, which for a {@code tenant} token is the token's tenant. A request
 * forwarded by another instance ({@code SE-Forwarded-By}) carries the client's token, relayed by
 * {@link Forwarder}, and is checked exactly the same way: the header grants nothing. The verified
 * {@link TokenClaims} are registered in the request context for the handlers. Rejections are
 * written by {@link Problems} (the one exception → status mapping) and counted under route
 * {@code auth}. Stateless, thread-safe.
 */
public final class AuthFilter implements Filter {
    private final Authenticator auth;
    private final PageMetrics metrics;

    public AuthFilter(Authenticator auth, PageMetrics metrics) {
        this.auth = auth;
        this.metrics = metrics;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path(); // decoded, as the routes see their parameters
        if (!auth.enabled() || isOpen(path)) {
            chain.proceed();
            return;
        }
        long start = System.nanoTime();
        try {
            TokenClaims claims = auth.authenticate(req.headers());
            if (claims.scope() == TokenClaims.Scope.TENANT) {
                Optional<String> named = tenantNamed(path, req.query().first("tenant_id").orElse(null));
                if (named.isPresent()) {
                    Authenticator.authorize(claims, parseOrForbid(named.get()));
                }
            }
            req.context().register(claims);
        } catch (ApiException e) {
            Problem p = Problems.sendProblem(req, res, e);
            if (p != null) {
                metrics.problem("auth", p.slug());
            }
            metrics.record("auth", res.status().code(), System.nanoTime() - start);
            return;
        }
        chain.proceed();
    }

    static boolean isOpen(String path) {
        return path.equals("/health") || path.startsWith("/health/") || path.equals("/openapi");
    }

    /**
     * The tenant a request names: the segment after {@code tenants} anywhere in the path (empty
     * segments ignored, so {@code //v1/tenants/…} cannot slip past), else {@code tenant_id} of a
     * {@code /v1/pages/…} request. Fails closed: a tenant token must cover whatever is named here.
     */
    static Optional<String> tenantNamed(String path, String tenantIdParam) {
        List<String> segments = Arrays.stream(path.split("/")).filter(x -> !x.isEmpty()).toList();
        int i = segments.indexOf("tenants");
        if (i >= 0) {
            return Optional.of(i + 1 < segments.size() ? segments.get(i + 1) : "");
        }
        if (segments.size() >= 2 && segments.get(0).equals("v1") && segments.get(1).equals("pages")
                && tenantIdParam != null) {
            return Optional.of(tenantIdParam);
        }
        return Optional.empty();
    }

    private static TenantId parseOrForbid(String text) {
        try {
            return TenantId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.forbidden("the token is not valid for the tenant named in the request");
        }
    }
}
