package io.storageengine.pageservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.timeline.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final String TENANT = "0123456789abcdef0123456789abcdef";

    @Test
    void applicationYamlGivesTheDocumentedDefaults() {
        PageServiceConfig c = ConfigLoader.load("application.yaml", Map.of());
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.http().adminPort()).isEqualTo(9090);
        assertThat(c.http().writeBufferSize()).isEqualTo(16384);
        assertThat(c.kafka().bootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(c.kafka().topic()).isEqualTo("wal");
        assertThat(c.rateLimit().defaultPerSecond()).isEqualTo(1000);
        assertThat(c.breaker().failures()).isEqualTo(10);
        assertThat(c.breaker().window()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.read().deadline()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.read().maxBatch()).isEqualTo(64);
        assertThat(c.auth().enabled()).isFalse();
    }

    @Test
    void environmentOverridesSingleKeysAndMaps() {
        PageServiceConfig c = ConfigLoader.load("application.yaml", Map.of(
                "SE_HTTP_PORT", "18080", "SE_ADMIN_PORT", "19090", "SE_KAFKA_BOOTSTRAP", "kafka:29092",
                "SE_WAIT_TIMEOUT", "250ms", "SE_BREAKER_WINDOW", "PT1M",
                "SE_RATE_LIMIT_TENANTS", TENANT + "=5", "SE_AUTH_ENABLED", "true",
                "SE_AUTH_TOKENS", TENANT + "=t1," + TENANT + "=t2",
                "SE_KAFKA_PROPERTIES", "num.stream.threads=2"));
        assertThat(c.http().port()).isEqualTo(18080);
        assertThat(c.http().adminPort()).isEqualTo(19090);
        assertThat(c.kafka().bootstrap()).isEqualTo("kafka:29092");
        assertThat(c.kafka().properties()).containsEntry("num.stream.threads", "2");
        assertThat(c.read().waitTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.breaker().window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.rateLimit().limitFor(TenantId.parse(TENANT))).isEqualTo(5);
        assertThat(c.rateLimit().limitFor(TenantId.random())).isEqualTo(1000);
        assertThat(c.auth().enabled()).isTrue();
        assertThat(c.auth().tokens().get(TenantId.parse(TENANT))).containsExactlyInAnyOrder("t1", "t2");
        assertThat(c.auth().toString()).doesNotContain("t1");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.load("application.yaml", Map.of("SE_HTTP_PORT", "eighty")))
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> ConfigLoader.load("application.yaml", Map.of("SE_READ_DEADLINE", "soon")))
                .hasMessageContaining("read.deadline");
        assertThatThrownBy(() -> ConfigLoader.load("application.yaml", Map.of("SE_RATE_LIMIT_TENANTS", "x=1")))
                .hasMessageContaining("rate-limit.tenants");
        assertThatThrownBy(() -> ConfigLoader.load("application.yaml", Map.of("SE_AUTH_ENABLED", "maybe")))
                .hasMessageContaining("auth.enabled");
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        assertThat(ConfigLoader.parseDuration("k", "250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(ConfigLoader.parseDuration("k", "15")).isEqualTo(Duration.ofMillis(15));
        assertThat(ConfigLoader.parseDuration("k", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ConfigLoader.parseDuration("k", "PT0.1S")).isEqualTo(Duration.ofMillis(100));
        assertThat(List.of(ConfigLoader.ENV.keySet().toArray())).contains("SE_HTTP_PORT", "SE_ADMIN_PORT", "SE_KAFKA_BOOTSTRAP");
    }
}
