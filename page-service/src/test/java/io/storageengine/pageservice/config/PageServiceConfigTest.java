package io.storageengine.pageservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.runtime.config.ConfigException;
import io.storageengine.schemas.timeline.TenantId;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageServiceConfigTest {
    static final String TENANT = "0123456789abcdef0123456789abcdef";

    @Test
    void applicationYamlGivesTheDocumentedDefaults() {
        PageServiceConfig c = PageServiceConfig.load(Map.of());
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
        PageServiceConfig c = PageServiceConfig.load(Map.of(
                "SE_HTTP_PORT", "18080", "SE_ADMIN_PORT", "19090", "SE_KAFKA_BOOTSTRAP", "kafka:29092",
                "SE_WAIT_TIMEOUT", "250ms", "SE_BREAKER_WINDOW", "PT1M",
                "SE_RATE_LIMIT_TENANTS", TENANT + "=5", "SE_AUTH_ENABLED", "true",
                "SE_AUTH_PUBLIC_KEY_FILE", "/etc/se/auth-public.pem",
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
        assertThat(c.auth().publicKeyFile()).isEqualTo("/etc/se/auth-public.pem");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_HTTP_PORT", "eighty")))
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_READ_DEADLINE", "soon")))
                .hasMessageContaining("read.deadline");
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_RATE_LIMIT_TENANTS", "x=1")))
                .hasMessageContaining("rate-limit.tenants");
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_AUTH_ENABLED", "maybe")))
                .hasMessageContaining("auth.enabled");
    }

    @Test
    void memoryBudgetIsDerivedUnlessConfigured() {
        assertThat(PageServiceConfig.load(Map.of()).memory().budgetMb()).isZero();
        assertThat(PageServiceConfig.load(Map.of("SE_MEMORY_BUDGET_MB", "1536")).memory().budgetMb()).isEqualTo(1536);
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_MEMORY_BUDGET_MB", "-1")))
                .hasMessageContaining("memory.budget-mb");
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        PageServiceConfig c = PageServiceConfig.load(Map.of("SE_RATE_LIMIT_MAX_WAIT", "250us",
                "SE_BULKHEAD_MAX_WAIT", "15", "SE_BREAKER_OPEN_DELAY", "2m", "SE_READ_DEADLINE", "PT0.1S"));
        assertThat(c.rateLimit().maxWait()).isEqualTo(Duration.ofNanos(250_000));
        assertThat(c.bulkhead().maxWait()).isEqualTo(Duration.ofMillis(15));
        assertThat(c.breaker().openDelay()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.read().deadline()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void everyOlderVariableNameStillWorks() {
        Map<String, String> env = new java.util.HashMap<>();
        env.putAll(Map.of("SE_HTTP_HOST", "127.0.0.2", "SE_ADVERTISED_HOST", "node-7", "SE_KAFKA_APPLICATION_ID", "app",
                "SE_STATE_DIR", "/tmp/state", "SE_KAFKA_STANDBY_REPLICAS", "1", "SE_KAFKA_STREAM_THREADS", "3",
                "SE_ROCKSDB_MEMORY_MB", "128", "SE_CATALOG_URL", "jdbc:postgresql://h:1/c", "SE_CATALOG_USER", "u",
                "SE_CATALOG_PASSWORD", "p"));
        env.putAll(Map.of("SE_SEGMENT_STORE", "catalog", "SE_SEGMENT_DIR", "/tmp/segs", "SE_COLD_ENABLED", "false",
                "SE_COLD_REFRESH_INTERVAL", "2s", "SE_COLD_MAX_STALENESS", "20s", "SE_COLD_READER_CACHE_MB", "32",
                "SE_HOT_TRIM_ENABLED", "false", "SE_HOT_TRIM_SETTLE_DELAY", "60s", "SE_RATE_LIMIT", "77",
                "SE_BREAKER_FAILURES", "3"));
        env.putAll(Map.of("SE_BREAKER_COUNT_DEADLINE_MISSES", "true", "SE_BULKHEAD_MAX_CONCURRENT", "5",
                "SE_MAX_BATCH", "9", "SE_READY_MAX_LAG", "11", "SE_FORWARD_MAX_CONNECTIONS", "4",
                "SE_FORWARD_TIMEOUT", "7s", "SE_WAL_TOPIC", "wal-b"));
        PageServiceConfig c = PageServiceConfig.load(env);
        assertThat(c.http().host()).isEqualTo("127.0.0.2");
        assertThat(c.http().advertisedHost()).isEqualTo("node-7");
        assertThat(c.kafka().applicationId()).isEqualTo("app");
        assertThat(c.kafka().topic()).isEqualTo("wal-b");
        assertThat(c.kafka().stateDir()).isEqualTo("/tmp/state");
        assertThat(c.kafka().standbyReplicas()).isEqualTo(1);
        assertThat(c.kafka().streamThreads()).isEqualTo(3);
        assertThat(c.kafka().rocksDbMemoryMb()).isEqualTo(128);
        assertThat(c.kafka().catalogUrl()).isEqualTo("jdbc:postgresql://h:1/c");
        assertThat(c.cold().catalogUrl()).isEqualTo("jdbc:postgresql://h:1/c");
        assertThat(c.cold().catalogUser()).isEqualTo("u");
        assertThat(c.cold().catalogPassword()).isEqualTo("p");
        assertThat(c.cold().segmentStore()).isEqualTo("catalog");
        assertThat(c.cold().segmentDir()).isEqualTo("/tmp/segs");
        assertThat(c.cold().enabled()).isFalse();
        assertThat(c.cold().refreshInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.cold().maxStaleness()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.cold().readerCacheMb()).isEqualTo(32);
        assertThat(c.cold().trimEnabled()).isFalse();
        assertThat(c.cold().trimSettleDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.rateLimit().defaultPerSecond()).isEqualTo(77);
        assertThat(c.breaker().failures()).isEqualTo(3);
        assertThat(c.breaker().countDeadlineMisses()).isTrue();
        assertThat(c.bulkhead().maxConcurrent()).isEqualTo(5);
        assertThat(c.read().maxBatch()).isEqualTo(9);
        assertThat(c.read().readyMaxLag()).isEqualTo(11);
        assertThat(c.forwarding().maxConnections()).isEqualTo(4);
        assertThat(c.forwarding().requestTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void theRuleNameWinsOverTheOlderOne() {
        PageServiceConfig c = PageServiceConfig.load(Map.of("SE_WAL_TOPIC", "a", "SE_KAFKA_TOPIC", "b",
                "SE_ADMIN_PORT", "1", "SE_HTTP_ADMIN_PORT", "2", "SE_HTTP_WRITE_BUFFER_SIZE", "32KiB"));
        assertThat(c.kafka().topic()).isEqualTo("b");
        assertThat(c.http().adminPort()).isEqualTo(2);
        assertThat(c.http().writeBufferSize()).isEqualTo(32 * 1024);
    }

    @Test
    void recordValidationIsAConfigError() {
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_MAX_BATCH", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("read.max-batch");
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_HTTP_WRITE_BUFFER_SIZE", "1KiB")))
                .hasMessageContaining("http.write-buffer-size");
    }

    @Test
    void theStreamingApiPortDefaultsTo8090AndCanBeTurnedOff() {
        PageServiceConfig c = PageServiceConfig.load(Map.of());
        assertThat(c.grpc().port()).isEqualTo(8090);
        assertThat(c.grpc().enabled()).isTrue();
        assertThat(c.grpc().maxInFlight()).isEqualTo(128);
        PageServiceConfig off = PageServiceConfig.load(Map.of("SE_GRPC_PORT", "-1", "SE_GRPC_MAX_IN_FLIGHT", "7"));
        assertThat(off.grpc().enabled()).isFalse();
        assertThat(off.grpc().maxInFlight()).isEqualTo(7);
        assertThat(PageServiceConfig.load(Map.of("SE_GRPC_PORT", "0")).grpc().enabled()).isTrue();
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_GRPC_PORT", "-2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("grpc.port");
        assertThatThrownBy(() -> PageServiceConfig.load(Map.of("SE_GRPC_MAX_IN_FLIGHT", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("grpc.max-in-flight");
    }
}
