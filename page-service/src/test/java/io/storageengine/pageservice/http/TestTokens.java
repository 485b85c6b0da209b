package io.storageengine.pageservice.http;

import io.storageengine.pageservice.auth.TokenClaims;
import io.storageengine.pageservice.auth.TokenTool;
import io.storageengine.schemas.timeline.TenantId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * An Ed25519 key pair in a temporary directory (written by {@link TokenTool#keygen}) and tokens
 * signed with it, for tests of the authenticated API. {@link #env()} turns auth on for a
 * {@link TestServer}.
 */
final class TestTokens {
    final Path dir;
    final PrivateKey key;

    TestTokens() {
        try {
            dir = Files.createTempDirectory("se-auth-test");
            dir.toFile().deleteOnExit();
            TokenTool.keygen(dir);
            dir.resolve("auth-private.pem").toFile().deleteOnExit();
            dir.resolve("auth-public.pem").toFile().deleteOnExit();
            key = TokenTool.loadPrivateKey(dir.resolve("auth-private.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Map<String, String> env() {
        return Map.of("SE_AUTH_ENABLED", "true", "SE_AUTH_PUBLIC_KEY_FILE", dir.resolve("auth-public.pem").toString());
    }

    String tenant(String tenantId) {
        return issue(new TokenClaims(TokenClaims.Scope.TENANT, TenantId.parse(tenantId)), Duration.ofHours(1));
    }

    String all() {
        return issue(new TokenClaims(TokenClaims.Scope.PAGESERVERAPI, null), Duration.ofHours(1));
    }

    String issue(TokenClaims claims, Duration ttl) {
        try {
            return TokenTool.issue(key, claims, Instant.now(), ttl);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String expired(String tenantId) {
        try {
            return TokenTool.issue(key, new TokenClaims(TokenClaims.Scope.TENANT, TenantId.parse(tenantId)),
                    Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
