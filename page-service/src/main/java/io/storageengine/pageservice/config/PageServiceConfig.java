package io.storageengine.pageservice.config;

import io.storageengine.schemas.timeline.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Typed configuration of one page-service instance, loaded by {@link ConfigLoader} from
 * {@code application.yaml} and environment overrides. Immutable; the nested records group the
 * settings of one concern each. Kafka and cold-tier settings are passed through to the streams
 * side unchanged.
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
        Cold cold) {

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
     * tier, and any extra Kafka properties (passed verbatim).
     */
    public record Kafka(String bootstrap, String applicationId, String topic, String stateDir, int standbyReplicas,
                        int streamThreads, int rocksDbMemoryMb, long standbyReadMaxLag, String catalogUrl,
                        Map<String, String> properties) {
        public Kafka {
            properties = Map.copyOf(properties);
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
     * partition is known to be at most this many records behind the WAL.
     */
    public record Read(Duration deadline, Duration waitTimeout, int maxBatch, long readyMaxLag) {
        public Read {
            if (maxBatch <= 0) {
                throw new IllegalArgumentException("read.max-batch must be > 0");
            }
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
     * Bearer-token authentication, off by default. {@code tokens} maps each tenant to the tokens that
     * may read it. {@link #toString()} never prints the tokens.
     */
    public record Auth(boolean enabled, Map<TenantId, List<String>> tokens) {
        public Auth {
            tokens = Map.copyOf(tokens);
        }

        @Override
        public String toString() {
            return "Auth[enabled=" + enabled + ", tenants=" + tokens.size() + "]";
        }
    }

    /**
     * The cold tier (segments listed in the catalog) and hot-store trimming; see
     * {@code io.storageengine.pageservice.cold.ColdTierSettings} for the meaning of each duration.
     * {@code enabled} defaults to "a catalog URL is configured". {@code segmentStore}: directory or
     * catalog; {@code segmentDir}: the directory store (or the catalog store's local cache).
     * {@link #toString()} never prints the password.
     */
    public record Cold(boolean enabled, String catalogUrl, String catalogUser, String catalogPassword,
                       String segmentStore, String segmentDir, int blockCacheMb, int readerCacheMb, int storeCacheMb,
                       Duration refreshInterval, Duration maxStaleness, boolean trimEnabled,
                       Duration trimSettleDelay, Duration trimInterval, int trimMaxEntries, Duration trimMaxTime) {
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

    private static void requirePort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }
}
