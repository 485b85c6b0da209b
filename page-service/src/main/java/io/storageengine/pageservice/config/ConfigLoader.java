package io.storageengine.pageservice.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.storageengine.schemas.timeline.TenantId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@link PageServiceConfig} from {@code application.yaml} on the classpath (Helidon config),
 * with environment variables overriding single keys through the explicit table {@link #ENV}
 * (for example {@code SE_HTTP_PORT} → {@code http.port}). Map-valued settings come from the
 * environment as {@code key=value} lists separated by commas ({@code SE_RATE_LIMIT_TENANTS},
 * {@code SE_AUTH_TOKENS}, {@code SE_KAFKA_PROPERTIES}). Stateless; a bad value fails with a
 * message naming the key.
 */
public final class ConfigLoader {

    /** Environment variable → configuration key. */
    public static final Map<String, String> ENV = envTable();

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|us)?");

    private ConfigLoader() {
    }

    /** Loads {@code application.yaml} with the process environment applied. */
    public static PageServiceConfig load() {
        return load("application.yaml", System.getenv());
    }

    public static PageServiceConfig load(String resource, Map<String, String> env) {
        Map<String, String> overrides = new HashMap<>();
        ENV.forEach((var, key) -> {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                overrides.put(key, v.trim());
            }
        });
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.create(overrides), ConfigSources.classpath(resource).optional(true))
                .build();
        return from(config, env);
    }

    static PageServiceConfig from(Config c, Map<String, String> env) {
        var http = new PageServiceConfig.Http(
                str(c, "http.host", "0.0.0.0"),
                integer(c, "http.port", 8080),
                integer(c, "http.admin-port", 9090),
                str(c, "http.advertised-host", "127.0.0.1"),
                integer(c, "http.write-buffer-size", 16384),
                duration(c, "http.shutdown-grace", Duration.ofSeconds(5)));
        Map<String, String> kafkaProps = new LinkedHashMap<>(map(c, "kafka.properties"));
        kafkaProps.putAll(pairs("SE_KAFKA_PROPERTIES", env.get("SE_KAFKA_PROPERTIES")));
        var kafka = new PageServiceConfig.Kafka(
                str(c, "kafka.bootstrap", "127.0.0.1:9092"),
                str(c, "kafka.application-id", "page-service"),
                str(c, "kafka.topic", "wal"),
                str(c, "kafka.state-dir", "data/page-service"),
                integer(c, "kafka.standby-replicas", 0),
                integer(c, "kafka.stream-threads", 1),
                integer(c, "kafka.rocksdb-memory-mb", 256),
                integer(c, "kafka.standby-read-max-lag", 10_000),
                catalogUrl(c),
                kafkaProps);
        Map<TenantId, Integer> limits = new HashMap<>();
        Map<String, String> rawLimits = new LinkedHashMap<>(map(c, "rate-limit.tenants"));
        rawLimits.putAll(pairs("SE_RATE_LIMIT_TENANTS", env.get("SE_RATE_LIMIT_TENANTS")));
        rawLimits.forEach((t, v) -> limits.put(tenant("rate-limit.tenants", t), parseInt("rate-limit.tenants." + t, v)));
        var rateLimit = new PageServiceConfig.RateLimit(
                integer(c, "rate-limit.default-per-second", 1000), limits,
                duration(c, "rate-limit.max-wait", Duration.ofMillis(10)),
                integer(c, "rate-limit.max-tenants", 10_000));
        var breaker = new PageServiceConfig.Breaker(
                integer(c, "breaker.failures", 10),
                duration(c, "breaker.window", Duration.ofSeconds(30)),
                duration(c, "breaker.open-delay", Duration.ofSeconds(5)),
                integer(c, "breaker.success-threshold", 1),
                bool(c, "breaker.count-deadline-misses", false));
        var bulkhead = new PageServiceConfig.Bulkhead(
                integer(c, "bulkhead.max-concurrent", 64),
                duration(c, "bulkhead.max-wait", Duration.ofMillis(50)));
        var read = new PageServiceConfig.Read(
                duration(c, "read.deadline", Duration.ofMillis(100)),
                duration(c, "read.wait-timeout", Duration.ofSeconds(1)),
                integer(c, "read.max-batch", 64),
                integer(c, "read.ready-max-lag", 1000));
        var forwarding = new PageServiceConfig.Forwarding(
                integer(c, "forwarding.max-connections", 64),
                duration(c, "forwarding.connect-timeout", Duration.ofMillis(500)),
                duration(c, "forwarding.request-timeout", Duration.ofSeconds(3)));
        Map<TenantId, List<String>> tokens = new HashMap<>();
        Map<String, String> rawTokens = new LinkedHashMap<>();
        c.get("auth.tokens").asNodeList().orElse(List.of()).forEach(n ->
                rawTokens.merge(n.get("tenant").asString().orElse(""), n.get("token").asString().orElse(""), (a, b) -> a + "," + b));
        pairs("SE_AUTH_TOKENS", env.get("SE_AUTH_TOKENS")).forEach((t, tok) -> rawTokens.merge(t, tok, (a, b) -> a + "," + b));
        rawTokens.forEach((t, toks) -> {
            for (String tok : toks.split(",")) {
                if (!tok.isBlank()) {
                    tokens.computeIfAbsent(tenant("auth.tokens", t), k -> new ArrayList<>()).add(tok.trim());
                }
            }
        });
        var auth = new PageServiceConfig.Auth(bool(c, "auth.enabled", false), tokens);
        String url = catalogUrl(c);
        var cold = new PageServiceConfig.Cold(
                bool(c, "cold.enabled", !url.isBlank()),
                url,
                str(c, "cold.catalog-user", "se"),
                str(c, "cold.catalog-password", "se"),
                str(c, "cold.segment-store", "directory"),
                str(c, "cold.segment-dir", ".local/segments"),
                integer(c, "cold.block-cache-mb", 64),
                integer(c, "cold.reader-cache-mb", 256),
                integer(c, "cold.store-cache-mb", 1024),
                duration(c, "cold.refresh-interval", Duration.ofSeconds(1)),
                duration(c, "cold.max-staleness", Duration.ofSeconds(10)),
                bool(c, "cold.trim.enabled", true),
                duration(c, "cold.trim.settle-delay", Duration.ofSeconds(30)),
                duration(c, "cold.trim.interval", Duration.ofSeconds(1)),
                integer(c, "cold.trim.max-entries", 10_000),
                duration(c, "cold.trim.max-time", Duration.ofMillis(20)));
        return new PageServiceConfig(http, kafka, rateLimit, breaker, bulkhead, read, forwarding, auth, cold);
    }

    /** {@code cold.catalog-url}, or the older {@code kafka.catalog-url}, or the local default. */
    private static String catalogUrl(Config c) {
        return c.get("cold.catalog-url").asString()
                .orElseGet(() -> str(c, "kafka.catalog-url", "jdbc:postgresql://127.0.0.1:55432/storage_engine"));
    }

    /** Parses {@code 100ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 250us}, a bare number of ms, or ISO-8601. */
    public static Duration parseDuration(String key, String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p")) {
            return Duration.parse(t);
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(key + ": malformed duration '" + text + "' (e.g. 100ms, 30s)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "us" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static Map<String, String> envTable() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SE_HTTP_HOST", "http.host");
        m.put("SE_HTTP_PORT", "http.port");
        m.put("SE_ADMIN_PORT", "http.admin-port");
        m.put("SE_ADVERTISED_HOST", "http.advertised-host");
        m.put("SE_KAFKA_BOOTSTRAP", "kafka.bootstrap");
        m.put("SE_KAFKA_APPLICATION_ID", "kafka.application-id");
        m.put("SE_WAL_TOPIC", "kafka.topic"); // the name ingest, the compactor and ./se use
        m.put("SE_KAFKA_TOPIC", "kafka.topic"); // wins when both are set
        m.put("SE_STATE_DIR", "kafka.state-dir");
        m.put("SE_KAFKA_STANDBY_REPLICAS", "kafka.standby-replicas");
        m.put("SE_KAFKA_STREAM_THREADS", "kafka.stream-threads");
        m.put("SE_ROCKSDB_MEMORY_MB", "kafka.rocksdb-memory-mb");
        m.put("SE_CATALOG_URL", "cold.catalog-url");
        m.put("SE_CATALOG_USER", "cold.catalog-user");
        m.put("SE_CATALOG_PASSWORD", "cold.catalog-password");
        m.put("SE_SEGMENT_STORE", "cold.segment-store");
        m.put("SE_SEGMENT_DIR", "cold.segment-dir");
        m.put("SE_COLD_ENABLED", "cold.enabled");
        m.put("SE_COLD_REFRESH_INTERVAL", "cold.refresh-interval");
        m.put("SE_COLD_MAX_STALENESS", "cold.max-staleness");
        m.put("SE_COLD_READER_CACHE_MB", "cold.reader-cache-mb");
        m.put("SE_HOT_TRIM_ENABLED", "cold.trim.enabled");
        m.put("SE_HOT_TRIM_SETTLE_DELAY", "cold.trim.settle-delay");
        m.put("SE_RATE_LIMIT", "rate-limit.default-per-second");
        m.put("SE_RATE_LIMIT_MAX_WAIT", "rate-limit.max-wait");
        m.put("SE_BREAKER_FAILURES", "breaker.failures");
        m.put("SE_BREAKER_WINDOW", "breaker.window");
        m.put("SE_BREAKER_OPEN_DELAY", "breaker.open-delay");
        m.put("SE_BREAKER_COUNT_DEADLINE_MISSES", "breaker.count-deadline-misses");
        m.put("SE_BULKHEAD_MAX_CONCURRENT", "bulkhead.max-concurrent");
        m.put("SE_BULKHEAD_MAX_WAIT", "bulkhead.max-wait");
        m.put("SE_READ_DEADLINE", "read.deadline");
        m.put("SE_WAIT_TIMEOUT", "read.wait-timeout");
        m.put("SE_MAX_BATCH", "read.max-batch");
        m.put("SE_READY_MAX_LAG", "read.ready-max-lag");
        m.put("SE_FORWARD_MAX_CONNECTIONS", "forwarding.max-connections");
        m.put("SE_FORWARD_TIMEOUT", "forwarding.request-timeout");
        m.put("SE_AUTH_ENABLED", "auth.enabled");
        return Map.copyOf(m);
    }

    private static String str(Config c, String key, String def) {
        return c.get(key).asString().orElse(def);
    }

    private static int integer(Config c, String key, int def) {
        return c.get(key).asString().map(v -> parseInt(key, v)).orElse(def);
    }

    private static boolean bool(Config c, String key, boolean def) {
        return c.get(key).asString().map(v -> switch (v.trim().toLowerCase()) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException(key + ": expected true or false, got '" + v + "'");
        }).orElse(def);
    }

    private static Duration duration(Config c, String key, Duration def) {
        return c.get(key).asString().map(v -> parseDuration(key, v)).orElse(def);
    }

    private static Map<String, String> map(Config c, String key) {
        Config node = c.get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (node.exists()) {
            node.asMap().orElse(Map.of()).forEach((k, v) -> out.put(k.substring(key.length() + 1), v));
        }
        return out;
    }

    private static int parseInt(String key, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected an integer, got '" + v + "'");
        }
    }

    private static TenantId tenant(String key, String text) {
        try {
            return TenantId.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    /** {@code a=1,b=2} → map; null or blank → empty. */
    static Map<String, String> pairs(String name, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split("[,;]")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(name + ": expected key=value pairs separated by commas");
            }
            out.merge(part.substring(0, eq).trim(), part.substring(eq + 1).trim(), (a, b) -> a + "," + b);
        }
        return out;
    }
}
