package io.storageengine.pageservice.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import io.storageengine.schemas.timeline.TenantId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command-line key and token issuing for a deployment (used by {@code ./se up --auth} and
 * {@code ./se token}):
 * <pre>
 *   TokenTool keygen DIR                 writes DIR/auth-private.pem (0600) and DIR/auth-public.pem (Ed25519)
 *   TokenTool token --key PRIVATE.pem (--tenant ID | --scope pageserverapi) [--ttl 24h]
 *                                        prints a signed token (EdDSA, or RS256 for an RSA key)
 * </pre>
 * A production deployment issues tokens from its own control plane with its own keys; the page
 * service only needs the public keys ({@code auth.public-key-file}).
 */
public final class TokenTool {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private TokenTool() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("keygen")) {
            keygen(Path.of(args[1]));
            return;
        }
        if (args.length >= 1 && args[0].equals("token")) {
            String key = null;
            String tenant = null;
            String scope = null;
            Duration ttl = Duration.ofHours(24);
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--key" -> key = v;
                    case "--tenant" -> tenant = v;
                    case "--scope" -> scope = v;
                    case "--ttl" -> ttl = parseTtl(v);
                    default -> usage("unknown argument " + a);
                }
                i++;
            }
            if (key == null) {
                usage("--key is required");
            }
            TokenClaims.Scope s = scope == null ? TokenClaims.Scope.TENANT : TokenClaims.Scope.parse(scope);
            TokenClaims claims = new TokenClaims(s, s == TokenClaims.Scope.TENANT
                    ? TenantId.parse(require(tenant, "--tenant is required for scope tenant")) : null);
            System.out.println(issue(loadPrivateKey(Path.of(key)), claims, Instant.now(), ttl));
            return;
        }
        usage(null);
    }

    private static String require(String v, String message) {
        if (v == null) {
            usage(message);
        }
        return v;
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println("usage: TokenTool keygen DIR | TokenTool token --key PRIVATE.pem (--tenant ID | --scope pageserverapi) [--ttl 24h]");
        System.exit(2);
    }

    /** {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}. */
    static Duration parseTtl(String v) {
        Matcher m = Pattern.compile("(\\d+)([smhd])").matcher(v == null ? "" : v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--ttl must look like 90s, 30m, 24h or 7d, got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** Writes a new Ed25519 key pair into {@code dir}; the private key readable by the owner only. */
    public static void keygen(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path priv = dir.resolve("auth-private.pem");
        Files.deleteIfExists(priv);
        Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(priv, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("auth-public.pem"), PublicKeys.toPem(pair.getPublic()));
    }

    /** A PKCS#8 PEM private key, Ed25519 or RSA. */
    public static PrivateKey loadPrivateKey(Path file) throws IOException {
        Matcher m = PEM.matcher(Files.readString(file));
        if (!m.find()) {
            throw new IllegalArgumentException(file + ": no -----BEGIN PRIVATE KEY----- block");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("Ed25519", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(file + ": the private key is neither Ed25519 nor RSA");
    }

    /** A compact JWS carrying {@code claims}, issued at {@code now}, expiring after {@code ttl}. */
    public static String issue(PrivateKey key, TokenClaims claims, Instant now, Duration ttl)
            throws GeneralSecurityException {
        boolean rsa = key instanceof RSAPrivateKey;
        JWSHeader header = new JWSHeader.Builder(rsa ? JWSAlgorithm.RS256 : JWSAlgorithm.EdDSA)
                .type(JOSEObjectType.JWT).build();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .claim("scope", claims.scope().claim())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (claims.tenant() != null) {
            b.claim("tenant_id", claims.tenant().toString());
        }
        String input = header.toBase64URL() + "." + Base64URL.encode(b.build().toString().getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance(rsa ? "SHA256withRSA" : "Ed25519");
        s.initSign(key);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(s.sign());
    }
}
