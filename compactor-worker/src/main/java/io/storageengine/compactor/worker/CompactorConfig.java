package io.storageengine.compactor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.compactor.compaction.CompactionPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Typed configuration of a compactor worker: {@code application.yaml} from the classpath, each key
 * overridable by an environment variable (named next to it in the yaml and in {@link #ENV}).
 * Durations are written {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}. Immutable; toString
 * hides the catalog password.
 */
public record CompactorConfig(String kafkaBootstrap, String topic, String consumerGroup, CatalogConfig catalog,
                              String segmentStore, Path segmentDir, int adminPort, String workerId,
                              long l0SegmentBytes, Duration l0MaxAge, long memoryBudgetBytes,
                              CompactionPolicy policy, Duration idlePoll, Duration leaseTtl,
                              Duration gcGrace, Duration gcInterval, Fetch fetch) {

    /**
     * The WAL consumer's Kafka fetch sizes: {@code fetch.max.bytes} (per fetch response),
     * {@code max.partition.fetch.bytes} (per partition in a response) and {@code max.poll.records}.
     * The client buffers about one response per broker plus one in flight, so these bound the memory
     * the consumer holds outside the L0 budget.
     */
    public record Fetch(int maxBytes, int maxPartitionBytes, int maxPollRecords) {
        public Fetch {
            if (maxBytes < 1024 || maxPartitionBytes < 1024 || maxPollRecords < 1) {
                throw new IllegalArgumentException("invalid kafka fetch settings: fetch-max-bytes " + maxBytes
                        + ", max-partition-fetch-bytes " + maxPartitionBytes + ", max-poll-records " + maxPollRecords);
            }
        }
    }

    /** yaml path → environment variable. */
    public static final Map<String, String> ENV = Map.ofEntries(
            Map.entry("kafka.bootstrap", "SE_KAFKA_BOOTSTRAP"),
            Map.entry("kafka.topic", "SE_WAL_TOPIC"),
            Map.entry("kafka.group", "SE_COMPACTOR_GROUP"),
            Map.entry("kafka.fetch-max-bytes", "SE_COMPACTOR_FETCH_MAX_BYTES"),
            Map.entry("kafka.max-partition-fetch-bytes", "SE_COMPACTOR_MAX_PARTITION_FETCH_BYTES"),
            Map.entry("kafka.max-poll-records", "SE_COMPACTOR_MAX_POLL_RECORDS"),
            Map.entry("catalog.url", "SE_CATALOG_URL"),
            Map.entry("catalog.user", "SE_CATALOG_USER"),
            Map.entry("catalog.password", "SE_CATALOG_PASSWORD"),
            Map.entry("catalog.pool-size", "SE_CATALOG_POOL_SIZE"),
            Map.entry("segments.store", "SE_SEGMENT_STORE"),
            Map.entry("segments.dir", "SE_SEGMENT_DIR"),
            Map.entry("admin-port", "SE_COMPACTOR_ADMIN_PORT"),
            Map.entry("worker-id", "SE_COMPACTOR_WORKER_ID"),
            Map.entry("l0.segment-bytes", "SE_COMPACTOR_L0_SEGMENT_BYTES"),
            Map.entry("l0.max-age", "SE_COMPACTOR_L0_MAX_AGE"),
            Map.entry("l0.memory-budget-bytes", "SE_COMPACTOR_MEMORY_BUDGET_BYTES"),
            Map.entry("compaction.l0-trigger", "SE_COMPACTOR_L0_TRIGGER"),
            Map.entry("compaction.l0-trigger-bytes", "SE_COMPACTOR_L0_TRIGGER_BYTES"),
            Map.entry("compaction.l1-target-bytes", "SE_COMPACTOR_L1_TARGET_BYTES"),
            Map.entry("compaction.image-chain-threshold", "SE_COMPACTOR_IMAGE_CHAIN_THRESHOLD"),
            Map.entry("compaction.retention-lsn-bytes", "SE_COMPACTOR_RETENTION_LSN_BYTES"),
            Map.entry("compaction.l1-merge-trigger", "SE_COMPACTOR_L1_MERGE_TRIGGER"),
            Map.entry("compaction.idle-poll", "SE_COMPACTOR_IDLE_POLL"),
            Map.entry("lease-ttl", "SE_COMPACTOR_LEASE_TTL"),
            Map.entry("gc.grace", "SE_COMPACTOR_GC_GRACE"),
            Map.entry("gc.interval", "SE_COMPACTOR_GC_INTERVAL"));

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    public CompactorConfig {
        if (l0SegmentBytes < 4096 || memoryBudgetBytes < l0SegmentBytes / 64 || adminPort < 0 || adminPort > 65535) {
            throw new IllegalArgumentException("invalid compactor config: l0 segment " + l0SegmentBytes + " bytes, budget "
                    + memoryBudgetBytes + ", admin port " + adminPort);
        }
        if (segmentStore.equals("directory")) {
            segmentStore = "dir"; // the page service's name for the same store
        }
        if (!segmentStore.equals("dir") && !segmentStore.equals("catalog")) {
            throw new IllegalArgumentException("segments.store must be directory (or dir) or catalog, got " + segmentStore);
        }
    }

    /** application.yaml from the classpath with the process environment applied. */
    public static CompactorConfig load() {
        return load(System.getenv());
    }

    public static CompactorConfig load(Map<String, String> env) {
        try (InputStream in = CompactorConfig.class.getResourceAsStream("/application.yaml")) {
            if (in == null) {
                throw new IllegalStateException("application.yaml is not on the classpath");
            }
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
            return from(path -> {
                String override = env.get(ENV.get(path));
                if (override != null && !override.isBlank()) {
                    return override.trim();
                }
                JsonNode n = root;
                for (String part : path.split("\\.")) {
                    n = n == null ? null : n.get(part);
                }
                if (n == null || n.isNull()) {
                    throw new IllegalStateException("application.yaml has no " + path);
                }
                return n.asText();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("reading application.yaml", e);
        }
    }

    private static CompactorConfig from(UnaryOperator<String> v) {
        CatalogConfig catalog = CatalogConfig.of(v.apply("catalog.url"), v.apply("catalog.user"), v.apply("catalog.password"))
                .withPoolSize(Integer.parseInt(v.apply("catalog.pool-size")));
        CompactionPolicy policy = new CompactionPolicy(Integer.parseInt(v.apply("compaction.l0-trigger")),
                Long.parseLong(v.apply("compaction.l0-trigger-bytes")), Long.parseLong(v.apply("compaction.l1-target-bytes")),
                Integer.parseInt(v.apply("compaction.image-chain-threshold")),
                Long.parseLong(v.apply("compaction.retention-lsn-bytes")),
                Integer.parseInt(v.apply("compaction.l1-merge-trigger")));
        String id = v.apply("worker-id");
        return new CompactorConfig(v.apply("kafka.bootstrap"), v.apply("kafka.topic"), v.apply("kafka.group"), catalog,
                v.apply("segments.store"), Path.of(v.apply("segments.dir")), Integer.parseInt(v.apply("admin-port")),
                id.isBlank() ? defaultWorkerId() : id,
                Long.parseLong(v.apply("l0.segment-bytes")), duration(v.apply("l0.max-age")),
                Long.parseLong(v.apply("l0.memory-budget-bytes")), policy, duration(v.apply("compaction.idle-poll")),
                duration(v.apply("lease-ttl")), duration(v.apply("gc.grace")), duration(v.apply("gc.interval")),
                new Fetch(Integer.parseInt(v.apply("kafka.fetch-max-bytes")),
                        Integer.parseInt(v.apply("kafka.max-partition-fetch-bytes")),
                        Integer.parseInt(v.apply("kafka.max-poll-records"))));
    }

    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("duration '" + text + "' must look like 500ms, 30s, 10m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
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
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
        return p;
    }

    /** A copy with other values: for tests and the benchmark. */
    public CompactorConfig with(String kafkaBootstrap, String topic, String group, CatalogConfig catalog, Path segmentDir) {
        return new CompactorConfig(kafkaBootstrap, topic, group, catalog, segmentStore, segmentDir, adminPort, defaultWorkerId(),
                l0SegmentBytes, l0MaxAge, memoryBudgetBytes, policy, idlePoll, leaseTtl, gcGrace, gcInterval, fetch);
    }

    public CompactorConfig withSizes(long l0SegmentBytes, Duration l0MaxAge, long memoryBudgetBytes, CompactionPolicy policy) {
        return new CompactorConfig(kafkaBootstrap, topic, consumerGroup, catalog, segmentStore, segmentDir, adminPort, workerId,
                l0SegmentBytes, l0MaxAge, memoryBudgetBytes, policy, idlePoll, leaseTtl, gcGrace, gcInterval, fetch);
    }

    public CompactorConfig withTimes(Duration idlePoll, Duration leaseTtl, Duration gcGrace, Duration gcInterval, int adminPort) {
        return new CompactorConfig(kafkaBootstrap, topic, consumerGroup, catalog, segmentStore, segmentDir, adminPort, workerId,
                l0SegmentBytes, l0MaxAge, memoryBudgetBytes, policy, idlePoll, leaseTtl, gcGrace, gcInterval, fetch);
    }
}
