package io.storageengine.pageservice.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Typed settings of the page service's Kafka Streams application. Immutable; the {@code with…}
 * methods return modified copies. The HTTP side's config loader fills it from
 * {@code application.yaml} and the environment.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param applicationId consumer group and prefix of internal topics (default {@code page-service})
 * @param walTopic the WAL topic (default {@code wal})
 * @param stateDir RocksDB state directory of this instance
 * @param applicationServer advertised {@code host:port} of this instance's page API (routing)
 * @param rocksDbMemoryBytes total off-heap memory of all RocksDB stores of the instance (block
 *     cache, index/filter blocks and memtables; default 256 MiB)
 * @param standbyReplicas {@code num.standby.replicas} (default 0)
 * @param streamThreads {@code num.stream.threads} (default 1)
 * @param standbyReadMaxLag a standby replica serves reads while its changelog lag is at most this
 *     many records; negative disables standby reads (default 10,000)
 * @param startupTimeout how long {@code start()} waits for the WAL topic's metadata (default 30 s)
 * @param extraProperties further Kafka Streams / client properties, passed verbatim (win over the above)
 */
public record StreamsSettings(
        String bootstrapServers,
        String applicationId,
        String walTopic,
        Path stateDir,
        String applicationServer,
        long rocksDbMemoryBytes,
        int standbyReplicas,
        int streamThreads,
        long standbyReadMaxLag,
        Duration startupTimeout,
        Map<String, String> extraProperties) {

    public static final String DEFAULT_APPLICATION_ID = "page-service";
    public static final long DEFAULT_ROCKSDB_MEMORY = 256L * 1024 * 1024;

    public StreamsSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(walTopic, "walTopic");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(applicationServer, "applicationServer");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        extraProperties = Map.copyOf(extraProperties);
        if (rocksDbMemoryBytes < 16L * 1024 * 1024) {
            throw new IllegalArgumentException("rocksdb memory must be at least 16 MiB, got " + rocksDbMemoryBytes);
        }
        if (standbyReplicas < 0 || streamThreads < 1) {
            throw new IllegalArgumentException("standby replicas must be >= 0 and stream threads >= 1");
        }
        int colon = applicationServer.lastIndexOf(':');
        if (colon <= 0 || colon == applicationServer.length() - 1) {
            throw new IllegalArgumentException("application server must be host:port, got '" + applicationServer + "'");
        }
        Integer.parseInt(applicationServer.substring(colon + 1));
    }

    /** Defaults for everything but where Kafka is, where state lives and how others reach this instance. */
    public static StreamsSettings defaults(String bootstrapServers, Path stateDir, String applicationServer) {
        return new StreamsSettings(bootstrapServers, DEFAULT_APPLICATION_ID, "wal", stateDir, applicationServer,
                DEFAULT_ROCKSDB_MEMORY, 0, 1, 10_000, Duration.ofSeconds(30), Map.of());
    }

    public StreamsSettings withApplicationId(String id) {
        return new StreamsSettings(bootstrapServers, id, walTopic, stateDir, applicationServer, rocksDbMemoryBytes,
                standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout, extraProperties);
    }

    public StreamsSettings withWalTopic(String topic) {
        return new StreamsSettings(bootstrapServers, applicationId, topic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout,
                extraProperties);
    }

    public StreamsSettings withRocksDbMemoryBytes(long bytes) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer, bytes,
                standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout, extraProperties);
    }

    public StreamsSettings withStandbyReplicas(int n) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, n, streamThreads, standbyReadMaxLag, startupTimeout, extraProperties);
    }

    public StreamsSettings withStreamThreads(int n) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, n, standbyReadMaxLag, startupTimeout, extraProperties);
    }

    public StreamsSettings withStandbyReadMaxLag(long records) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, streamThreads, records, startupTimeout, extraProperties);
    }

    public StreamsSettings withExtraProperties(Map<String, String> props) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout, props);
    }

    /** Host part of {@link #applicationServer()}. */
    public String advertisedHost() {
        return applicationServer.substring(0, applicationServer.lastIndexOf(':'));
    }

    /** Port part of {@link #applicationServer()}. */
    public int advertisedPort() {
        return Integer.parseInt(applicationServer.substring(applicationServer.lastIndexOf(':') + 1));
    }
}
