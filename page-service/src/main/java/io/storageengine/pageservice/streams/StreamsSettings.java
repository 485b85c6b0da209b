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
 * @param groupInstanceId static group membership ({@code group.instance.id}; Kafka Streams appends
 *     the stream thread's index): stable across restarts, so a restarted instance takes its
 *     assignment back without waiting for its old session to expire. Blank: derived from the
 *     application id and {@link #applicationServer()} (see {@link #effectiveGroupInstanceId()})
 * @param sessionTimeout {@code session.timeout.ms} of the consumers (default 6 s; the broker's
 *     {@code group.min.session.timeout.ms}, 6 s by default, bounds it below): how long a crashed
 *     instance's partitions wait before they move elsewhere
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
        Map<String, String> extraProperties,
        String groupInstanceId,
        Duration sessionTimeout) {

    public static final String DEFAULT_APPLICATION_ID = "page-service";
    public static final long DEFAULT_ROCKSDB_MEMORY = 256L * 1024 * 1024;
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    public StreamsSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(walTopic, "walTopic");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(applicationServer, "applicationServer");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(groupInstanceId, "groupInstanceId");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        if (sessionTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException("session timeout must be at least 1 s, got " + sessionTimeout);
        }
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
                DEFAULT_ROCKSDB_MEMORY, 0, 1, 10_000, Duration.ofSeconds(30), Map.of(), "",
                DEFAULT_SESSION_TIMEOUT);
    }

    public StreamsSettings withApplicationId(String id) {
        return new StreamsSettings(bootstrapServers, id, walTopic, stateDir, applicationServer, rocksDbMemoryBytes,
                standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout, extraProperties, groupInstanceId, sessionTimeout);
    }

    public StreamsSettings withWalTopic(String topic) {
        return new StreamsSettings(bootstrapServers, applicationId, topic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout,
                extraProperties, groupInstanceId, sessionTimeout);
    }

    public StreamsSettings withRocksDbMemoryBytes(long bytes) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer, bytes,
                standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout, extraProperties, groupInstanceId, sessionTimeout);
    }

    public StreamsSettings withStandbyReplicas(int n) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, n, streamThreads, standbyReadMaxLag, startupTimeout, extraProperties, groupInstanceId, sessionTimeout);
    }

    public StreamsSettings withStreamThreads(int n) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, n, standbyReadMaxLag, startupTimeout, extraProperties, groupInstanceId, sessionTimeout);
    }

    public StreamsSettings withStandbyReadMaxLag(long records) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, streamThreads, records, startupTimeout, extraProperties, groupInstanceId, sessionTimeout);
    }

    public StreamsSettings withExtraProperties(Map<String, String> props) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout, props, groupInstanceId, sessionTimeout);
    }

    /** Static membership id and session timeout (see the record's parameters); blank id: derived. */
    public StreamsSettings withGroupMembership(String instanceId, Duration timeout) {
        return new StreamsSettings(bootstrapServers, applicationId, walTopic, stateDir, applicationServer,
                rocksDbMemoryBytes, standbyReplicas, streamThreads, standbyReadMaxLag, startupTimeout,
                extraProperties, instanceId, timeout);
    }

    /**
     * The {@code group.instance.id} given to Kafka Streams: the configured one, or
     * {@code <application id>-<host>-<port>} (the advertised address, unique per instance and stable
     * across its restarts), with characters outside {@code [A-Za-z0-9._-]} replaced by {@code _}.
     */
    public String effectiveGroupInstanceId() {
        String id = groupInstanceId.isBlank()
                ? applicationId + "-" + advertisedHost() + "-" + advertisedPort()
                : groupInstanceId.trim();
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
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
