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
    void impossibleSettingsAreRefused() {
        assertThatThrownBy(() -> CatalogConfig.of("jdbc:x", "u", "p").withPoolSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CatalogConfig.of("jdbc:x", "u", "p").withRetry(0, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CatalogConfig.of(null, "u", "p")).isInstanceOf(NullPointerException.class);
    }
}
