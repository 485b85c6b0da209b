package io.storageengine.pageservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.storageengine.schemas.timeline.TenantId;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * Verifies a compact JWS token: signature by one of the deployment's public keys ({@code EdDSA}
 * / {@code Ed25519} with an Ed25519 key, {@code RS256} with an RSA key; every other algorithm,
 * {@code none} included, is refused), {@code exp} and {@code nbf} when present (no leeway), and
 * the claims {@code scope} ({@code tenant} with {@code tenant_id}, or {@code pageserverapi}).
 * Parsing is nimbus-jose-jwt's; Ed25519 signatures are checked with the JDK's provider.
 * Immutable, thread-safe. Error messages never contain the token.
 */
public final class TokenVerifier {
    /** Longest token accepted (a few hundred bytes in practice; bounds parsing work). */
    public static final int MAX_TOKEN_LENGTH = 8192;

    private final List<PublicKey> keys;
    private final Clock clock;

    public TokenVerifier(List<PublicKey> keys, Clock clock) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("token verification needs at least one public key");
        }
        this.keys = List.copyOf(keys);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @throws TokenException when the token authenticates nobody (message says why, without the token) */
    public TokenClaims verify(String token) throws TokenException {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenException("token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenException("malformed token (not a signed JWT)");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!signedByAKey(jwt, alg)) {
            throw new TokenException("token signature does not verify with any configured key (alg " + alg + ")");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp != null && !now.isBefore(exp.toInstant())) {
            throw new TokenException("token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant())) {
            throw new TokenException("token not valid before " + nbf.toInstant());
        }
        return claims(claims);
    }

    private boolean signedByAKey(SignedJWT jwt, JWSAlgorithm alg) throws TokenException {
        boolean ed = JWSAlgorithm.EdDSA.equals(alg) || "Ed25519".equals(alg.getName());
        boolean rsa = JWSAlgorithm.RS256.equals(alg);
        if (!ed && !rsa) {
            throw new TokenException("token algorithm " + alg + " not accepted (EdDSA/Ed25519 or RS256)");
        }
        for (PublicKey key : keys) {
            try {
                if (ed && key instanceof EdECPublicKey) {
                    Signature s = Signature.getInstance("Ed25519");
                    s.initVerify(key);
                    s.update(jwt.getSigningInput());
                    if (s.verify(jwt.getSignature().decode())) {
                        return true;
                    }
                } else if (rsa && key instanceof RSAPublicKey r && jwt.verify(new RSASSAVerifier(r))) {
                    return true;
                }
            } catch (GeneralSecurityException | JOSEException | IllegalStateException e) {
                // a signature of the wrong shape for this key: try the next key
            }
        }
        return false;
    }

    private static TokenClaims claims(JWTClaimsSet claims) throws TokenException {
        String scope;
        String tenant;
        try {
            scope = claims.getStringClaim("scope");
            tenant = claims.getStringClaim("tenant_id");
        } catch (ParseException e) {
            throw new TokenException("token claims scope and tenant_id must be strings");
        }
        if (scope == null) {
            throw new TokenException("token has no scope claim");
        }
        TokenClaims.Scope s;
        try {
            s = TokenClaims.Scope.parse(scope);
        } catch (IllegalArgumentException e) {
            throw new TokenException("token " + e.getMessage());
        }
        return switch (s) {
            case TENANT -> {
                if (tenant == null) {
                    throw new TokenException("a token of scope tenant needs a tenant_id claim");
                }
                try {
                    yield new TokenClaims(s, TenantId.parse(tenant));
                } catch (IllegalArgumentException e) {
                    throw new TokenException("token tenant_id is not a tenant id (32 hex digits)");
                }
            }
            case PAGESERVERAPI -> new TokenClaims(s, null);
        };
    }
}
