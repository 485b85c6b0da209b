package io.storageengine.pageservice.http.internal;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.storageengine.pageservice.auth.PublicKeys;
import io.storageengine.pageservice.auth.TokenClaims;
import io.storageengine.pageservice.auth.TokenException;
import io.storageengine.pageservice.auth.TokenVerifier;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.schemas.timeline.TenantId;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Signed bearer tokens (config {@code auth}); disabled by default. When enabled, a request must
 * carry {@code Authorization: Bearer <JWT>} signed by one of the keys of
 * {@code auth.public-key-file} ({@link TokenVerifier}): missing, malformed, badly signed, expired
 * → 401; a valid token whose claims do not cover the tenant asked for → 403. Used by
 * {@link AuthFilter}, the one place that checks HTTP requests, and by the gRPC API's interceptor
 * ({@code grpc.internal.AuthInterceptor}, metadata {@code authorization}) through
 * {@link #authenticate(String)}: one verifier, one set of keys. Tokens are never logged and never echoed
 * in problems. Immutable, thread-safe.
 */
public final class Authenticator {
    private final TokenVerifier verifier;

    /** @throws IllegalArgumentException naming the key file when auth is enabled and its keys cannot be read */
    public Authenticator(PageServiceConfig.Auth config) {
        this(config, Clock.systemUTC());
    }

    public Authenticator(PageServiceConfig.Auth config, Clock clock) {
        if (!config.enabled()) {
            this.verifier = null;
            return;
        }
        if (config.publicKeyFile().isBlank()) {
            throw new IllegalArgumentException("auth.enabled is true but auth.public-key-file is not set");
        }
        this.verifier = new TokenVerifier(PublicKeys.load(Path.of(config.publicKeyFile())), clock);
    }

    public boolean enabled() {
        return verifier != null;
    }

    /** The verified claims of the request's bearer token. @throws ApiException 401 */
    public TokenClaims authenticate(Headers headers) {
        return authenticate(headers.first(HeaderNames.AUTHORIZATION).orElse(null));
    }

    /**
     * The verified claims of an {@code Authorization} value ({@code Bearer <JWT>}; null when absent):
     * the one check behind both the HTTP {@link AuthFilter} and the gRPC stream's metadata.
     * @throws ApiException 401
     */
    public TokenClaims authenticate(String h) {
        if (h == null || h.length() <= 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("missing bearer token (Authorization: Bearer <token>)");
        }
        try {
            return verifier.verify(h.substring(7).trim());
        } catch (TokenException e) {
            throw ApiException.unauthorized("invalid bearer token: " + e.getMessage());
        }
    }

    /** @throws ApiException 403 when {@code claims} do not cover {@code tenant} */
    public static void authorize(TokenClaims claims, TenantId tenant) {
        if (!claims.mayRead(tenant)) {
            throw ApiException.forbidden("the token is not valid for tenant " + tenant);
        }
    }
}
