package io.storageengine.compactor.worker;

import io.storageengine.compactor.compaction.CompactionPolicy;
import io.storageengine.runtime.config.ConfigLoader;
import io.storageengine.runtime.config.ConfigReader;
import io.storageengine.runtime.config.ConfigSpec;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.segments.segment.BulkIo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Typed configuration of a compactor worker: {@code application.yaml} from the class path, each key
 * {@code a.b-c} overridable by the variable {@code SE_A_B_C} (the runtime library's rule; the
 * worker's own keys live under {@code compactor.}, so their names start {@code SE_COMPACTOR_}).
 * Durations and sizes use the runtime syntax ({@code 500ms}, {@code 30s}; {@code 64MiB}).
 * {@code compactor.direct-io} ({@link BulkIo}): segment writes and merge scans with {@code O_DIRECT}
 * (default) or through the page cache. Immutable; toString hides the catalog password.
 */
public record CompactorConfig(String kafkaBootstrap, String topic, String consumerGroup, CatalogConfig catalog,
                              String segmentStore, Path segmentDir, int adminPort, String workerId,
                              long l0SegmentBytes, Duration l0MaxAge, long memoryBudgetBytes,
                              CompactionPolicy policy, Duration idlePoll, Duration leaseTtl,
                              Duration gcGrace, Duration gcInterval, Fetch fetch, Pacing pacing, BulkIo bulkIo) {

    /**
     * CPU pacing of compaction jobs while the worker is ahead: a job's thread is held to
     * {@code cpuShare} of one core (0 < share; 1 or more: never paced) as long as its partition's L0
     * backlog is at most {@code behindL0Segments}; beyond that the job runs at full speed to catch
     * up. Reads on the same machine keep their CPU while compaction has slack.
     */
    public record Pacing(double cpuShare, int behindL0Segments) {
        public Pacing {
            if (!(cpuShare > 0) || behindL0Segments < 0) {
                throw new IllegalArgumentException("compactor.pacing.cpu-share must be > 0 and "
                        + "compactor.pacing.behind-l0-segments >= 0, got " + cpuShare + ", " + behindL0Segments);
            }
        }

        /** No pacing at all. */
        public static Pacing off() {
            return new Pacing(1.0, 0);
        }
    }

    /**
     * The WAL consumer's Kafka fetch sizes: {@code fetch.max.bytes} (per fetch response),
     * {@code max.partition.fetch.bytes} (per partition in a response) and {@code max.poll.records}.
     * The client buffers about one response per broker plus one in flight, so these bound the memory
     * the consumer holds outside the L0 budget. {@code fetch.min.bytes} and {@code fetch.max.wait.ms}
     * let the broker hold a fetch until that much has arrived (or the wait is over): a worker that
     * keeps up with ingest then reads it in few large fetches rather than many small ones.
     */
    public record Fetch(int maxBytes, int maxPartitionBytes, int maxPollRecords, int minBytes, Duration maxWait) {
        public Fetch {
            if (maxBytes < 1024 || maxPartitionBytes < 1024 || maxPollRecords < 1 || minBytes < 1 || minBytes > maxBytes
                    || maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("invalid kafka fetch settings: compactor.fetch-max-bytes " + maxBytes
                        + ", compactor.max-partition-fetch-bytes " + maxPartitionBytes + ", compactor.max-poll-records "
                        + maxPollRecords + ", compactor.fetch-min-bytes " + minBytes + " (1 to fetch-max-bytes)"
                        + ", compactor.fetch-max-wait " + maxWait + " (0 to 10 s)");
            }
        }
    }

    /** {@code application.yaml}; every variable the worker reads follows the rule, so no aliases. */
    public static final ConfigSpec SPEC = ConfigSpec.of("application.yaml");

    public CompactorConfig {
        if (l0SegmentBytes < 4096 || memoryBudgetBytes < l0SegmentBytes / 64 || adminPort < 0 || adminPort > 65535) {
            throw new IllegalArgumentException("invalid compactor config: compactor.l0.segment-bytes " + l0SegmentBytes
                    + " (>= 4096), compactor.memory-budget-bytes " + memoryBudgetBytes
                    + " (>= segment-bytes / 64), compactor.admin-port " + adminPort);
        }
        if (segmentStore.equals("directory")) {
            segmentStore = "dir"; // the page service's name for the same store
        }
        if (!segmentStore.equals("dir") && !segmentStore.equals("catalog")) {
            throw new IllegalArgumentException("segment.store must be dir (or directory) or catalog, got " + segmentStore);
        }
    }

    /** application.yaml from the class path with the process environment applied. */
    public static CompactorConfig load() {
        return load(System.getenv());
    }

    public static CompactorConfig load(Map<String, String> env) {
        return ConfigLoader.load(SPEC, env, CompactorConfig::bind);
    }

    private static CompactorConfig bind(ConfigReader c) {
        CatalogConfig catalog = CatalogConfig.of(c.string("catalog.url"), c.string("catalog.user"), c.string("catalog.password"))
                .withPoolSize(c.integer("catalog.pool-size"))
                .withKeys(c::optionalString, io.storageengine.runtime.config.Durations::parse); // replicas, retries, breakers
        CompactionPolicy policy = new CompactionPolicy(c.integer("compactor.l0-trigger"), c.size("compactor.l0-trigger-bytes"),
                c.size("compactor.l1-target-bytes"), c.integer("compactor.image-chain-threshold"),
                c.size("compactor.retention-lsn-bytes"), c.integer("compactor.l1-merge-trigger"));
        String id = c.string("compactor.worker-id");
        return new CompactorConfig(c.string("kafka.bootstrap"), c.string("wal.topic"), c.string("compactor.group"), catalog,
                c.string("segment.store"), Path.of(c.string("segment.dir")), c.integer("compactor.admin-port"),
                id.isBlank() ? defaultWorkerId() : id,
                c.size("compactor.l0.segment-bytes"), c.duration("compactor.l0.max-age"),
                c.size("compactor.memory-budget-bytes"), policy, c.duration("compactor.idle-poll"),
                c.duration("compactor.lease-ttl"), c.duration("compactor.gc.grace"), c.duration("compactor.gc.interval"),
                new Fetch(c.intSize("compactor.fetch-max-bytes"), c.intSize("compactor.max-partition-fetch-bytes"),
                        c.integer("compactor.max-poll-records"), c.intSize("compactor.fetch-min-bytes"),
                        c.duration("compactor.fetch-max-wait")),
                new Pacing(Double.parseDouble(c.string("compactor.pacing.cpu-share")),
                        c.integer("compactor.pacing.behind-l0-segments")),
                BulkIo.parse(c.string("compactor.direct-io")));
    }

    /** Unique per process: host, pid and a random suffix (leases need distinct owners). */
    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "host";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    /**
     * The WAL consumer's Kafka client settings: this worker's group, {@code read_committed}, no auto
     * commit (offsets live in the catalog), byte-array keys, values as views of the fetch buffer
     * ({@link java.nio.ByteBuffer}, no copy) and the {@link Fetch} sizes.
     * The benchmark reads with the same settings to measure its ceiling.
     */
    public Properties walConsumerProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, consumerGroup);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class); // a view, not a copy
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "compactor-" + workerId);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetch.maxBytes());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetch.maxPartitionBytes());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, fetch.maxPollRecords());
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, fetch.minBytes());
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetch.maxWait().toMillis());
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
        return p;
    }

    /** A copy with other values: for tests and the benchmark. */
    public CompactorConfig with(String kafkaBootstrap, String topic, String group, CatalogConfig catalog, Path segmentDir) {
        return new CompactorConfig(kafkaBootstrap, topic, group, catalog, segmentStore, segmentDir, adminPort, defaultWorkerId(),
                l0SegmentBytes, l0MaxAge, memoryBudgetBytes, policy, idlePoll, leaseTtl, gcGrace, gcInterval, fetch, pacing, bulkIo);
    }

    public CompactorConfig withSizes(long l0SegmentBytes, Duration l0MaxAge, long memoryBudgetBytes, CompactionPolicy policy) {
        return new CompactorConfig(kafkaBootstrap, topic, consumerGroup, catalog, segmentStore, segmentDir, adminPort, workerId,
                l0SegmentBytes, l0MaxAge, memoryBudgetBytes, policy, idlePoll, leaseTtl, gcGrace, gcInterval, fetch, pacing, bulkIo);
    }

    public CompactorConfig withTimes(Duration idlePoll, Duration leaseTtl, Duration gcGrace, Duration gcInterval, int adminPort) {
        return new CompactorConfig(kafkaBootstrap, topic, consumerGroup, catalog, segmentStore, segmentDir, adminPort, workerId,
                l0SegmentBytes, l0MaxAge, memoryBudgetBytes, policy, idlePoll, leaseTtl, gcGrace, gcInterval, fetch, pacing, bulkIo);
    }
}
