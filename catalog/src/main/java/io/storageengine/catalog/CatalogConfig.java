package io.storageengine.catalog;

import io.storageengine.catalog.connection.ConnectionOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How to reach the catalog database and how hard to retry. {@link #fromEnvironment} reads
 * SE_CATALOG_URL (default {@code jdbc:postgresql://127.0.0.1:55432/storage_engine}),
 * SE_CATALOG_USER / SE_CATALOG_PASSWORD (default se/se) and SE_CATALOG_POOL_SIZE (default 4);
 * a runnable module may instead build it from its own typed config ({@link #withKeys}: the
 * {@code catalog.*} keys of docs/configuration.md). {@code options}: replicas, pool sizing, breakers,
 * health ({@link ConnectionOptions}). Immutable; toString hides the password.
 *
 * @param maxPoolSize  the most connections of each pool (HikariCP {@code maximumPoolSize}); pools grow to it on demand
 * @param retryBudget  the retry deadline: no new attempt of a transaction after this long
 */
public record CatalogConfig(
        String jdbcUrl,
        String user,
        String password,
        int maxPoolSize,
        Duration connectionTimeout,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration retryBudget,
        ConnectionOptions options) {

    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/storage_engine";

    public CatalogConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (maxPoolSize < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("pool size and attempts must be >= 1");
        }
        Objects.requireNonNull(options, "options");
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connection timeout must be >= 250 ms");
        }
    }

    /** Defaults: pool of 4, 2 s connection timeout, up to 12 attempts, 100 ms doubling to 2 s, within 30 s. */
    public static CatalogConfig of(String jdbcUrl, String user, String password) {
        return new CatalogConfig(jdbcUrl, user, password, 4, Duration.ofSeconds(2), 12, Duration.ofMillis(100),
                Duration.ofSeconds(2), Duration.ofSeconds(30), ConnectionOptions.defaults());
    }

    /** From SE_CATALOG_* variables (the rule of docs/configuration.md: {@code catalog.replica-max-lag} → SE_CATALOG_REPLICA_MAX_LAG). */
    public static CatalogConfig fromEnvironment(Map<String, String> env) {
        CatalogConfig c = of(env.getOrDefault("SE_CATALOG_URL", DEFAULT_URL), env.getOrDefault("SE_CATALOG_USER", "se"),
                env.getOrDefault("SE_CATALOG_PASSWORD", "se"));
        return c.withKeys(k -> Optional.ofNullable(env.get("SE_" + k.toUpperCase(java.util.Locale.ROOT).replace('.', '_')
                .replace('-', '_'))).filter(v -> !v.isBlank()), CatalogConfig::parseDuration);
    }

    /** {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, a bare number of milliseconds, or ISO-8601 ({@code PT5S}). */
    static Duration parseDuration(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            char unit = t.charAt(t.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofMillis(Long.parseLong(t));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1).trim());
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("not a duration: '" + text + "'");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use 250ms, 5s, 2m, 1h or PT5S)", e);
        }
    }

    /**
     * This config with the {@code catalog.*} keys a service's configuration sets ({@code key}: a
     * key's text if set; {@code duration}: the project's duration parser): {@code catalog.pool-size},
     * {@code catalog.connection-timeout}, {@code catalog.retry-deadline},
     * {@code catalog.retry-initial-backoff}, {@code catalog.retry-max-backoff},
     * {@code catalog.retry-max-attempts} and the keys of {@link ConnectionOptions#fromKeys}. Missing
     * keys keep this config's values.
     */
    public CatalogConfig withKeys(Function<String, Optional<String>> key, Function<String, Duration> duration) {
        int pool = key.apply("catalog.pool-size").map(s -> integer("catalog.pool-size", s)).orElse(maxPoolSize);
        Duration connect = key.apply("catalog.connection-timeout").map(duration).orElse(connectionTimeout);
        int attempts = key.apply("catalog.retry-max-attempts").map(s -> integer("catalog.retry-max-attempts", s))
                .orElse(maxAttempts);
        return new CatalogConfig(jdbcUrl, user, password, pool, connect, attempts,
                key.apply("catalog.retry-initial-backoff").map(duration).orElse(initialBackoff),
                key.apply("catalog.retry-max-backoff").map(duration).orElse(maxBackoff),
                key.apply("catalog.retry-deadline").map(duration).orElse(retryBudget),
                ConnectionOptions.fromKeys(key, duration));
    }

    private static int integer(String key, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected an integer, got '" + text + "'");
        }
    }

    public CatalogConfig withPoolSize(int size) {
        return new CatalogConfig(jdbcUrl, user, password, size, connectionTimeout, maxAttempts, initialBackoff, maxBackoff, retryBudget,
                options);
    }

    public CatalogConfig withRetry(int attempts, Duration initial, Duration max, Duration budget) {
        return new CatalogConfig(jdbcUrl, user, password, maxPoolSize, connectionTimeout, attempts, initial, max, budget, options);
    }

    public CatalogConfig withConnectionTimeout(Duration timeout) {
        return new CatalogConfig(jdbcUrl, user, password, maxPoolSize, timeout, maxAttempts, initialBackoff, maxBackoff, retryBudget,
                options);
    }

    public CatalogConfig withOptions(ConnectionOptions o) {
        return new CatalogConfig(jdbcUrl, user, password, maxPoolSize, connectionTimeout, maxAttempts, initialBackoff, maxBackoff,
                retryBudget, o);
    }

    @Override
    public String toString() {
        return "CatalogConfig[" + jdbcUrl + " user=" + user + " pool=" + maxPoolSize + " attempts=" + maxAttempts
                + " budget=" + retryBudget + " replicas=" + options.replicas() + "]";
    }
}
