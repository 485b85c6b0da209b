package io.storageengine.pageservice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.storageengine.schemas.timeline.TenantId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {
    private static final TenantId T = TenantId.parse("0123456789abcdef0123456789abcdef");
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static KeyPair pair(String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            g.initialize(2048);
        }
        return g.generateKeyPair();
    }

    @Test
    void ed25519AndRsaTokensCarryTheirClaims() throws Exception {
        KeyPair ed = pair("Ed25519");
        KeyPair rsa = pair("RSA");
        // One PEM file with both keys (rotation), read back as the page service reads it.
        List<java.security.PublicKey> keys = PublicKeys.parse(PublicKeys.toPem(ed.getPublic()) + PublicKeys.toPem(rsa.getPublic()));
        assertThat(keys).hasSize(2);
        TokenVerifier v = new TokenVerifier(keys, CLOCK);
        TokenClaims tenant = new TokenClaims(TokenClaims.Scope.TENANT, T);
        TokenClaims all = new TokenClaims(TokenClaims.Scope.PAGESERVERAPI, null);
        assertThat(v.verify(TokenTool.issue(ed.getPrivate(), tenant, NOW, Duration.ofHours(1)))).isEqualTo(tenant);
        assertThat(v.verify(TokenTool.issue(rsa.getPrivate(), all, NOW, Duration.ofHours(1)))).isEqualTo(all);
        assertThat(tenant.mayRead(T)).isTrue();
        assertThat(tenant.mayRead(TenantId.random())).isFalse();
        assertThat(all.mayRead(TenantId.random())).isTrue();
    }

    @Test
    void timeClaimsAreEnforced() throws Exception {
        KeyPair ed = pair("Ed25519");
        TokenVerifier v = new TokenVerifier(List.of(ed.getPublic()), CLOCK);
        TokenClaims c = new TokenClaims(TokenClaims.Scope.TENANT, T);
        assertThatThrownBy(() -> v.verify(TokenTool.issue(ed.getPrivate(), c, NOW.minusSeconds(3600), Duration.ofHours(1))))
                .isInstanceOf(TokenException.class).hasMessageContaining("expired");
        String notYet = sign(ed, new JWTClaimsSet.Builder().claim("scope", "tenant").claim("tenant_id", T.toString())
                .notBeforeTime(Date.from(NOW.plusSeconds(60))).build());
        assertThatThrownBy(() -> v.verify(notYet)).hasMessageContaining("not valid before");
    }

    @Test
    void everythingElseIsRefusedWithoutEchoingTheToken() throws Exception {
        KeyPair ed = pair("Ed25519");
        KeyPair other = pair("Ed25519");
        TokenVerifier v = new TokenVerifier(List.of(ed.getPublic()), CLOCK);
        TokenClaims c = new TokenClaims(TokenClaims.Scope.TENANT, T);
        String foreign = TokenTool.issue(other.getPrivate(), c, NOW, Duration.ofHours(1));
        assertThatThrownBy(() -> v.verify(foreign)).hasMessageContaining("does not verify")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(foreign));
        assertThatThrownBy(() -> v.verify("garbage-token")).hasMessageContaining("malformed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("garbage-token"));
        assertThatThrownBy(() -> v.verify("x".repeat(TokenVerifier.MAX_TOKEN_LENGTH + 1))).hasMessageContaining("longer");
        // HS256 with the public key as the MAC secret (algorithm confusion) is refused by algorithm.
        byte[] secret = Arrays.copyOf(ed.getPublic().getEncoded(), 64);
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().claim("scope", "pageserverapi").build());
        hs.sign(new MACSigner(secret));
        assertThatThrownBy(() -> v.verify(hs.serialize())).hasMessageContaining("not accepted");
        String none = b64("{\"alg\":\"none\"}") + "." + b64("{\"scope\":\"pageserverapi\"}") + ".";
        assertThatThrownBy(() -> v.verify(none)).isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> v.verify(sign(ed, new JWTClaimsSet.Builder().build()))).hasMessageContaining("no scope");
        assertThatThrownBy(() -> v.verify(sign(ed, new JWTClaimsSet.Builder().claim("scope", "admin").build())))
                .hasMessageContaining("unknown scope");
        assertThatThrownBy(() -> v.verify(sign(ed, new JWTClaimsSet.Builder().claim("scope", "tenant").build())))
                .hasMessageContaining("tenant_id");
        assertThatThrownBy(() -> v.verify(sign(ed, new JWTClaimsSet.Builder().claim("scope", "tenant")
                .claim("tenant_id", "xyz").build()))).hasMessageContaining("32 hex");
    }

    @Test
    void keyFilesNameWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> PublicKeys.load(dir.resolve("missing.pem"))).hasMessageContaining("missing.pem");
        assertThatThrownBy(() -> PublicKeys.parse("nothing here")).hasMessageContaining("no -----BEGIN PUBLIC KEY");
        assertThatThrownBy(() -> PublicKeys.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
                .hasMessageContaining("#1");
        TokenTool.keygen(dir);
        assertThat(PublicKeys.load(dir.resolve("auth-public.pem"))).hasSize(1);
        assertThat(TokenTool.loadPrivateKey(dir.resolve("auth-private.pem")).getAlgorithm()).isIn("Ed25519", "EdDSA");
        assertThat(TokenTool.parseTtl("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TokenTool.parseTtl("7d")).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> TokenTool.parseTtl("soon")).hasMessageContaining("--ttl");
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Arbitrary claims signed with Ed25519 the way TokenTool signs. */
    private static String sign(KeyPair ed, JWTClaimsSet claims) throws Exception {
        String input = b64("{\"alg\":\"EdDSA\"}") + "." + b64(claims.toString());
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initSign(ed.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    }
}
