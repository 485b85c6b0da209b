package io.storageengine.pageservice.cold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.CatalogConfig;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.topology.trim.TrimSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code cold} config section: defaults, environment overrides, the freshness rule check, disabling. */
class ColdTierSettingsTest {

    @Test
    void applicationYamlEnablesTheColdTierOnTheLocalCatalogWithADirectoryStore() {
        PageServiceConfig.Cold c = PageServiceConfig.load(Map.of()).cold();
        ColdTierSettings s = ColdTierSettings.from(c);
        assertThat(s.enabled()).isTrue();
        assertThat(s.catalog().jdbcUrl()).isEqualTo(CatalogConfig.DEFAULT_URL);
        assertThat(s.store()).isEqualTo(ColdTierSettings.StoreKind.DIRECTORY);
        assertThat(s.segmentDir()).isEqualTo(Path.of(".local/segments"));
        assertThat(s.refreshInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.trim().enabled()).isTrue();
        assertThat(s.trim().settleDelay()).isGreaterThan(s.maxStaleness());
        assertThat(c.toString()).doesNotContain("password=");
    }

    @Test
    void environmentOverridesCatalogStoreAndTrimming() {
        PageServiceConfig config = PageServiceConfig.load(Map.of(
                "SE_CATALOG_URL", "jdbc:postgresql://db:5432/x", "SE_CATALOG_USER", "alice", "SE_CATALOG_PASSWORD", "s3cret",
                "SE_SEGMENT_STORE", "catalog", "SE_SEGMENT_DIR", "/var/cache/se", "SE_COLD_REFRESH_INTERVAL", "250ms",
                "SE_HOT_TRIM_ENABLED", "false"));
        ColdTierSettings s = ColdTierSettings.from(config.cold());
        assertThat(s.catalog().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(s.catalog().user()).isEqualTo("alice");
        assertThat(s.catalog().password()).isEqualTo("s3cret");
        assertThat(config.cold().toString()).doesNotContain("s3cret");
        assertThat(config.kafka().catalogUrl()).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(s.store()).isEqualTo(ColdTierSettings.StoreKind.CATALOG);
        assertThat(s.segmentDir()).isEqualTo(Path.of("/var/cache/se"));
        assertThat(s.refreshInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.trim().enabled()).isFalse();
        try (ColdTier tier = ColdTier.create(config.cold(), null)) {
            assertThat(tier.source()).isInstanceOf(SegmentColdPageSource.class);
            assertThat(tier.trimming()).isNull();
        }
    }

    @Test
    void disabledGivesNoColdTierAndNoTrimming() {
        PageServiceConfig config = PageServiceConfig.load(Map.of("SE_COLD_ENABLED", "false"));
        try (ColdTier tier = ColdTier.create(config.cold(), null)) {
            assertThat(tier.source()).isSameAs(ColdPageSource.none());
            assertThat(tier.trimming()).isNull();
            tier.start(4);
        }
    }

    @Test
    void aSettleDelayNotLongerThanTheStalenessLimitIsRefused() {
        ColdTierSettings base = ColdTierSettings.of(CatalogConfig.of("jdbc:x", "u", "p"), Path.of("d"));
        assertThatThrownBy(() -> base.withTrim(new TrimSettings(true, Duration.ofSeconds(10), Duration.ofSeconds(1),
                10, Duration.ofMillis(5)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("settle-delay");
        assertThatThrownBy(() -> ColdTierSettings.StoreKind.parse("s3")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ColdTierSettings.StoreKind.parse("dir")).isEqualTo(ColdTierSettings.StoreKind.DIRECTORY);
    }
}
