package io.storageengine.catalog;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach the catalog database and how hard to retry. {@link #fromEnvironment} reads
 * SE_CATALOG_URL (default {@code jdbc:postgresql://127.0.0.1:55432/storage_engine}),
 * SE_CATALOG_USER / SE_CATALOG_PASSWORD (default se/se) and SE_CATALOG_POOL_SIZE (default 4);
 * a runnable module may instead build it from its own typed config. Immutable; toString hides the password.
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
        Duration retryBudget) {

    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/storage_engine";

    public CatalogConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (maxPoolSize < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("pool size and attempts must be >= 1");
        }
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connection timeout must be >= 250 ms");
        }
    }

    /** Defaults: pool of 4, 2 s connection timeout, up to 12 attempts, 100 ms doubling to 2 s, within 30 s. */
    public static CatalogConfig of(String jdbcUrl, String user, String password) {
        return new CatalogConfig(jdbcUrl, user, password, 4, Duration.ofSeconds(2), 12, Duration.ofMillis(100),
                Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    public static CatalogConfig fromEnvironment(Map<String, String> env) {
        CatalogConfig c = of(env.getOrDefault("SE_CATALOG_URL", DEFAULT_URL), env.getOrDefault("SE_CATALOG_USER", "se"),
                env.getOrDefault("SE_CATALOG_PASSWORD", "se"));
        String pool = env.get("SE_CATALOG_POOL_SIZE");
        return pool == null ? c : c.withPoolSize(Integer.parseInt(pool));
    }

    public CatalogConfig withPoolSize(int size) {
        return new CatalogConfig(jdbcUrl, user, password, size, connectionTimeout, maxAttempts, initialBackoff, maxBackoff, retryBudget);
    }

    public CatalogConfig withRetry(int attempts, Duration initial, Duration max, Duration budget) {
        return new CatalogConfig(jdbcUrl, user, password, maxPoolSize, connectionTimeout, attempts, initial, max, budget);
    }

    @Override
    public String toString() {
        return "CatalogConfig[" + jdbcUrl + " user=" + user + " pool=" + maxPoolSize + " attempts=" + maxAttempts
                + " budget=" + retryBudget + "]";
    }
}
