package io.storageengine.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogConfigTest {

    @Test
    void theEnvironmentOverridesTheDefaults() {
        CatalogConfig defaults = CatalogConfig.fromEnvironment(Map.of());
        assertThat(defaults.jdbcUrl()).isEqualTo(CatalogConfig.DEFAULT_URL);
        assertThat(defaults.user()).isEqualTo("se");
        assertThat(defaults.maxPoolSize()).isEqualTo(4);
        assertThat(defaults.maxAttempts()).isEqualTo(12);
        assertThat(defaults.retryBudget()).isEqualTo(Duration.ofSeconds(30));
        CatalogConfig env = CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_URL", "jdbc:postgresql://db:5432/x",
                "SE_CATALOG_USER", "u", "SE_CATALOG_PASSWORD", "secret", "SE_CATALOG_POOL_SIZE", "9"));
        assertThat(env.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(env.user()).isEqualTo("u");
        assertThat(env.password()).isEqualTo("secret");
        assertThat(env.maxPoolSize()).isEqualTo(9);
        assertThat(env.toString()).doesNotContain("secret");
    }

    @Test
    void connectionKeysComeFromTheEnvironment() {
        CatalogConfig c = CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_REPLICAS",
                "jdbc:postgresql://r1:5432/x, jdbc:postgresql://r2:5432/x", "SE_CATALOG_REPLICA_MAX_LAG", "750ms",
                "SE_CATALOG_RETRY_DEADLINE", "10s", "SE_CATALOG_BREAKER_FAILURES", "5", "SE_CATALOG_POOL_MIN_IDLE", "0",
                "SE_CATALOG_READ_AFFINITY", "0"));
        assertThat(c.options().replicas()).containsExactly("jdbc:postgresql://r1:5432/x", "jdbc:postgresql://r2:5432/x");
        assertThat(c.options().replicaMaxLag()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.retryBudget()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.options().breakerFailures()).isEqualTo(5);
        assertThat(c.options().minIdle()).isZero();
        assertThat(c.options().readAffinity()).isZero();
        assertThat(CatalogConfig.fromEnvironment(Map.of()).options().replicas()).isEmpty();
        assertThatThrownBy(() -> CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_REPLICAS", "mysql://x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog.replicas");
        assertThatThrownBy(() -> CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_REPLICA_MAX_LAG", "soon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("soon");
        assertThatThrownBy(() -> CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_POOL_SIZE", "many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog.pool-size");
        assertThatThrownBy(() -> CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_POOL_IDLE_TIMEOUT", "1s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog.pool-idle-timeout");
        assertThat(CatalogConfig.fromEnvironment(Map.of()).options().maxWaiting()).isEqualTo(10_000);
        assertThat(CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_POOL_MAX_WAITING", "250")).options().maxWaiting())
                .isEqualTo(250);
        assertThatThrownBy(() -> CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_POOL_MAX_WAITING", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog.pool-max-waiting");
        assertThat(CatalogConfig.fromEnvironment(Map.of()).options().consolidateMaxKeys()).isEqualTo(1_000);
        assertThat(CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_CONSOLIDATE_MAX_KEYS", "64")).options()
                .consolidateMaxKeys()).isEqualTo(64);
        assertThat(CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_CONSOLIDATE_READS", "false",
                "SE_CATALOG_CONSOLIDATE_MAX_KEYS", "64")).options().consolidateMaxKeys()).isZero();
        assertThatThrownBy(() -> CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_CONSOLIDATE_READS", "maybe")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog.consolidate-reads");
        assertThatThrownBy(() -> CatalogConfig.fromEnvironment(Map.of("SE_CATALOG_CONSOLIDATE_MAX_KEYS", "-2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog.consolidate-max-keys");
    }

    @Test
    void impossibleSettingsAreRefused() {
        assertThatThrownBy(() -> CatalogConfig.of("jdbc:x", "u", "p").withPoolSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CatalogConfig.of("jdbc:x", "u", "p").withRetry(0, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CatalogConfig.of(null, "u", "p")).isInstanceOf(NullPointerException.class);
    }
}
