package io.storageengine.pageservice.http.internal;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.schemas.timeline.TenantId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Per-tenant bearer tokens (config {@code auth}); disabled by default. A request for a tenant must
 * carry {@code Authorization: Bearer <token>} with a token configured for that tenant: missing or
 * unknown token → 401, a valid token of another tenant → 403. Tokens are never logged. Immutable,
 * thread-safe.
 */
public final class Authenticator {
    private final boolean enabled;
    private final Map<String, Set<TenantId>> tenantsByToken;

    public Authenticator(PageServiceConfig.Auth config) {
        this.enabled = config.enabled();
        Map<String, Set<TenantId>> m = new HashMap<>();
        config.tokens().forEach((tenant, tokens) -> tokens.forEach(tok ->
                m.computeIfAbsent(tok, k -> new HashSet<>()).add(tenant)));
        m.replaceAll((k, v) -> Set.copyOf(v));
        this.tenantsByToken = Map.copyOf(m);
    }

    public boolean enabled() {
        return enabled;
    }

    /** @throws ApiException 401 or 403 when authentication is enabled and the request may not read {@code tenant} */
    public void check(Headers headers, TenantId tenant) {
        if (!enabled) {
            return;
        }
        String h = headers.first(HeaderNames.AUTHORIZATION).orElse(null);
        if (h == null || h.length() <= 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("missing bearer token (Authorization: Bearer <token>)");
        }
        Set<TenantId> tenants = tenantsByToken.get(h.substring(7).trim());
        if (tenants == null) {
            throw ApiException.unauthorized("invalid bearer token");
        }
        if (!tenants.contains(tenant)) {
            throw ApiException.forbidden("the token is not valid for tenant " + tenant);
        }
    }
}
