package io.storageengine.pageservice.config;

import io.storageengine.runtime.config.ConfigLoader;
import io.storageengine.runtime.config.ConfigReader;
import io.storageengine.runtime.config.ConfigSpec;
import io.storageengine.schemas.timeline.TenantId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Typed configuration of one page-service instance, loaded by {@link #load()} from
 * {@code application.yaml} with environment overrides through the runtime library's rule (key
 * {@code a.b-c} → {@code SE_A_B_C}) plus the older names in {@link #SPEC}. Immutable; the nested
 * records group the settings of one concern each. Kafka and cold-tier settings are passed through
 * to the streams side unchanged.
 */
public record PageServiceConfig(
        Http http,
        Kafka kafka,
        RateLimit rateLimit,
        Breaker breaker,
        Bulkhead bulkhead,
        Read read,
        Forwarding forwarding,
        Auth auth,
        Cold cold,
        Grpc grpc,
        Memory memory) {

    /**
     * {@code application.yaml} and the variable names that predate the rule (each kept working;
     * the rule's name wins when both are set, {@code SE_KAFKA_TOPIC} over {@code SE_WAL_TOPIC}).
     */
    public static final ConfigSpec SPEC = ConfigSpec.of("application.yaml")
            .alias("http.admin-port", "SE_ADMIN_PORT")
            .alias("http.advertised-host", "SE_ADVERTISED_HOST")
            .alias("kafka.topic", "SE_WAL_TOPIC") // the name ingest, the compactor and ./se use
            .alias("kafka.state-dir", "SE_STATE_DIR")
            .alias("kafka.rocksdb-memory-mb", "SE_ROCKSDB_MEMORY_MB")
            .alias("cold.catalog-url", "SE_CATALOG_URL")
            .alias("cold.catalog-user", "SE_CATALOG_USER")
            .alias("cold.catalog-password", "SE_CATALOG_PASSWORD")
            .alias("cold.segment-store", "SE_SEGMENT_STORE")
            .alias("cold.segment-dir", "SE_SEGMENT_DIR")
            .alias("cold.trim.enabled", "SE_HOT_TRIM_ENABLED")
            .alias("cold.trim.settle-delay", "SE_HOT_TRIM_SETTLE_DELAY")
            .alias("rate-limit.default-per-second", "SE_RATE_LIMIT")
            .alias("read.wait-timeout", "SE_WAIT_TIMEOUT")
            .alias("read.max-batch", "SE_MAX_BATCH")
            .alias("read.ready-max-lag", "SE_READY_MAX_LAG")
            .alias("forwarding.max-connections", "SE_FORWARD_MAX_CONNECTIONS")
            .alias("forwarding.request-timeout", "SE_FORWARD_TIMEOUT");

    public PageServiceConfig {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(bulkhead, "bulkhead");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(forwarding, "forwarding");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(cold, "cold");
        Objects.requireNonNull(grpc, "grpc");
        Objects.requireNonNull(memory, "memory");
    }

    /**
     * The bound of the instance's anonymous resident memory (heap, RocksDB, JVM overhead), exported
     * with the resident set by {@link io.storageengine.runtime.admin.ProcessMemory}; {@code budgetMb}
     * 0 derives it: maximum heap + {@code kafka.rocksdb-memory-mb} + 256 MiB.
     */
    public record Memory(long budgetMb) {
        public Memory {
            if (budgetMb < 0) {
                throw new IllegalArgumentException("memory.budget-mb must be >= 0, got " + budgetMb);
            }
        }
    }

    /**
     * Sockets. {@code port} serves the page API, {@code adminPort} serves /metrics (and /health);
     * {@code advertisedHost} is the name other instances use to forward requests here.
     */
    public record Http(String host, int port, int adminPort, String advertisedHost, int writeBufferSize,
                       Duration shutdownGrace) {
        public Http {
            requirePort("http.port", port);
            requirePort("http.admin-port", adminPort);
            if (writeBufferSize < 4096) {
                throw new IllegalArgumentException("http.write-buffer-size must be >= 4096, got " + writeBufferSize);
            }
        }
    }

    /**
     * Kafka Streams settings for the streams side: bootstrap servers, application id, WAL topic,
     * RocksDB state directory, standby replicas, stream threads, the RocksDB memory budget (MiB),
     * how far (records) a standby may lag and still serve reads, the catalog JDBC URL for the cold
     * tier, any extra Kafka properties (passed verbatim), the static group membership id (blank:
     * derived from the advertised host and port) and the consumers' session timeout.
     */
    public record Kafka(String bootstrap, String applicationId, String topic, String stateDir, int standbyReplicas,
                        int streamThreads, int rocksDbMemoryMb, long standbyReadMaxLag, String catalogUrl,
                        Map<String, String> properties, String groupInstanceId, Duration sessionTimeout) {
        public Kafka {
            properties = Map.copyOf(properties);
            Objects.requireNonNull(groupInstanceId, "groupInstanceId");
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        }
    }

    /**
     * Per-tenant smooth rate limit in requests per second; {@code maxWait} lets a request wait a
     * little for its permit instead of failing on sub-millisecond bursts. {@code maxTenants} bounds
     * the number of limiters kept (beyond it, unconfigured tenants share one limiter).
     */
    public record RateLimit(int defaultPerSecond, Map<TenantId, Integer> perTenant, Duration maxWait, int maxTenants) {
        public RateLimit {
            perTenant = Map.copyOf(perTenant);
            if (defaultPerSecond <= 0) {
                throw new IllegalArgumentException("rate-limit.default-per-second must be > 0");
            }
        }

        public int limitFor(TenantId tenant) {
            return perTenant.getOrDefault(tenant, defaultPerSecond);
        }
    }

    /**
     * Circuit breaker around the store: opens after {@code failures} failures within {@code window};
     * {@code countDeadlineMisses} makes missed reconstruction deadlines count as failures too.
     */
    public record Breaker(int failures, Duration window, Duration openDelay, int successThreshold,
                          boolean countDeadlineMisses) {
        public Breaker {
            if (failures <= 0 || successThreshold <= 0) {
                throw new IllegalArgumentException("breaker thresholds must be > 0");
            }
        }
    }

    /** At most {@code maxConcurrent} reconstructions at once; a request waits up to {@code maxWait} for a slot. */
    public record Bulkhead(int maxConcurrent, Duration maxWait) {
        public Bulkhead {
            if (maxConcurrent <= 0) {
                throw new IllegalArgumentException("bulkhead.max-concurrent must be > 0");
            }
        }
    }

    /**
     * Read path: {@code deadline} per reconstruction (passed as {@code PageRequest.deadlineNanos}),
     * {@code waitTimeout} for WAL that has not arrived yet (honoured by the reader), {@code maxBatch}
     * pages per batch request, {@code readyMaxLag}: the instance is ready only when every active
     * partition is known to be at most this many records behind the WAL. {@code pageCacheMb}: heap
     * for the cache of newest reconstructed pages (8 KiB each; 0: no cache).
     */
    public record Read(Duration deadline, Duration waitTimeout, int maxBatch, long readyMaxLag, int pageCacheMb) {
        public Read {
            if (maxBatch <= 0) {
                throw new IllegalArgumentException("read.max-batch must be > 0");
            }
            if (pageCacheMb < 0) {
                throw new IllegalArgumentException("read.page-cache-mb must be >= 0");
            }
        }

        /** Pages the newest-page cache holds (0: no cache). */
        public int pageCachePages() {
            return pageCacheMb * 128;
        }
    }

    /** Forwarding to the owning instance: bounded connections, connect and request timeouts. */
    public record Forwarding(int maxConnections, Duration connectTimeout, Duration requestTimeout) {
        public Forwarding {
            if (maxConnections <= 0) {
                throw new IllegalArgumentException("forwarding.max-connections must be > 0");
            }
        }
    }

    /**
     * Signed bearer tokens (JWT), off by default. {@code publicKeyFile}: PEM file with the
     * deployment's verification keys (one or more {@code PUBLIC KEY} blocks, Ed25519 or RSA); tokens
     * carry {@code scope} ({@code tenant} with {@code tenant_id}, or {@code pageserverapi}).
     */
    public record Auth(boolean enabled, String publicKeyFile) {
        public Auth {
            Objects.requireNonNull(publicKeyFile, "publicKeyFile");
        }
    }

    /**
     * The cold tier (segments listed in the catalog) and hot-store trimming; see
     * {@code io.storageengine.pageservice.cold.ColdTierSettings} for the meaning of each duration.
     * {@code enabled} defaults to "a catalog URL is configured". {@code segmentStore}: directory or
     * catalog; {@code segmentDir}: the directory store (or the catalog store's local cache).
     * {@code catalog}: URL, user and password above plus the {@code catalog.*} connection keys
     * (replicas, pool, retries, breakers). {@link #toString()} never prints the password.
     */
    public record Cold(boolean enabled, String catalogUrl, String catalogUser, String catalogPassword,
                       String segmentStore, String segmentDir, int blockCacheMb, int readerCacheMb, int storeCacheMb,
                       Duration refreshInterval, Duration maxStaleness, boolean trimEnabled,
                       Duration trimSettleDelay, Duration trimInterval, int trimMaxEntries, Duration trimMaxTime,
                       io.storageengine.catalog.CatalogConfig catalog) {
        public Cold {
            Objects.requireNonNull(catalogUrl, "catalogUrl");
            Objects.requireNonNull(segmentDir, "segmentDir");
        }

        @Override
        public String toString() {
            return "Cold[enabled=" + enabled + ", catalog=" + catalogUrl + " user=" + catalogUser + ", store="
                    + segmentStore + " at " + segmentDir + ", refresh=" + refreshInterval + ", maxStaleness="
                    + maxStaleness + ", trim=" + trimEnabled + " settle=" + trimSettleDelay + "]";
        }
    }

    /**
     * The streaming page API (gRPC, docs/page-api.md): {@code port} ({@code -1}: off, {@code 0}: a
     * free port), {@code maxInFlight} requests of one stream read ahead of their answers (flow
     * control: memory per stream is bounded by it), {@code shutdownGrace} for in-flight calls.
     */
    public record Grpc(int port, int maxInFlight, Duration shutdownGrace) {
        public Grpc {
            if (port != -1) {
                requirePort("grpc.port", port);
            }
            if (maxInFlight <= 0) {
                throw new IllegalArgumentException("grpc.max-in-flight must be > 0, got " + maxInFlight);
            }
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        }

        public boolean enabled() {
            return port >= 0;
        }
    }

    /** {@code application.yaml} with the process environment applied. */
    public static PageServiceConfig load() {
        return ConfigLoader.load(SPEC, PageServiceConfig::bind);
    }

    /** {@code application.yaml} with {@code env} as the environment (tests). */
    public static PageServiceConfig load(Map<String, String> env) {
        return ConfigLoader.load(SPEC, env, PageServiceConfig::bind);
    }

    private static PageServiceConfig bind(ConfigReader c) {
        var http = new Http(c.string("http.host"), c.integer("http.port"), c.integer("http.admin-port"),
                c.string("http.advertised-host"), c.intSize("http.write-buffer-size"), c.duration("http.shutdown-grace"));
        String catalogUrl = c.optionalString("cold.catalog-url") // or the older kafka.catalog-url
                .or(() -> c.optionalString("kafka.catalog-url")).orElseGet(() -> c.string("cold.catalog-url"));
        var kafka = new Kafka(c.string("kafka.bootstrap"), c.string("kafka.application-id"), c.string("kafka.topic"),
                c.string("kafka.state-dir"), c.integer("kafka.standby-replicas"), c.integer("kafka.stream-threads"),
                c.integer("kafka.rocksdb-memory-mb"), c.longValue("kafka.standby-read-max-lag"), catalogUrl,
                c.map("kafka.properties"), c.optionalString("kafka.group-instance-id").orElse(""),
                c.duration("kafka.session-timeout"));
        Map<TenantId, Integer> limits = new HashMap<>();
        c.map("rate-limit.tenants").forEach((t, v) -> limits.put(c.convert("rate-limit.tenants", t, TenantId::parse),
                c.convert("rate-limit.tenants." + t, v, n -> Integer.parseInt(n.trim()))));
        var rateLimit = new RateLimit(c.integer("rate-limit.default-per-second"), limits,
                c.duration("rate-limit.max-wait"), c.integer("rate-limit.max-tenants"));
        var breaker = new Breaker(c.integer("breaker.failures"), c.duration("breaker.window"),
                c.duration("breaker.open-delay"), c.integer("breaker.success-threshold"),
                c.bool("breaker.count-deadline-misses"));
        var bulkhead = new Bulkhead(c.integer("bulkhead.max-concurrent"), c.duration("bulkhead.max-wait"));
        var read = new Read(c.duration("read.deadline"), c.duration("read.wait-timeout"), c.integer("read.max-batch"),
                c.longValue("read.ready-max-lag"), c.integer("read.page-cache-mb"));
        var forwarding = new Forwarding(c.integer("forwarding.max-connections"), c.duration("forwarding.connect-timeout"),
                c.duration("forwarding.request-timeout"));
        var auth = new Auth(c.bool("auth.enabled"), c.optionalString("auth.public-key-file").orElse(""));
        var cold = new Cold(c.optionalBool("cold.enabled").orElse(!catalogUrl.isBlank()), catalogUrl,
                c.string("cold.catalog-user"), c.string("cold.catalog-password"), c.string("cold.segment-store"),
                c.string("cold.segment-dir"), c.integer("cold.block-cache-mb"), c.integer("cold.reader-cache-mb"),
                c.integer("cold.store-cache-mb"), c.duration("cold.refresh-interval"), c.duration("cold.max-staleness"),
                c.bool("cold.trim.enabled"), c.duration("cold.trim.settle-delay"), c.duration("cold.trim.interval"),
                c.integer("cold.trim.max-entries"), c.duration("cold.trim.max-time"),
                io.storageengine.catalog.CatalogConfig.of(catalogUrl, c.string("cold.catalog-user"), c.string("cold.catalog-password"))
                        .withKeys(c::optionalString, io.storageengine.runtime.config.Durations::parse));
        var grpc = new Grpc(c.integer("grpc.port"), c.integer("grpc.max-in-flight"), c.duration("grpc.shutdown-grace"));
        var memory = new Memory(c.longValue("memory.budget-mb"));
        return new PageServiceConfig(http, kafka, rateLimit, breaker, bulkhead, read, forwarding, auth, cold, grpc, memory);
    }

    private static void requirePort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }
}
