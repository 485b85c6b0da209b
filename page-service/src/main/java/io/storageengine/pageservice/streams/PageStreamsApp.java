package io.storageengine.pageservice.streams;

import io.storageengine.pageservice.hotstore.BoundedMemoryRocksDbConfig;
import io.storageengine.pageservice.hotstore.RocksDbMemory;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.VersionStoreAccess;
import io.storageengine.pageservice.topology.ApplyCounters;
import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.topology.PageTopologyConfig;
import io.storageengine.pageservice.topology.WatermarkRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page service's Kafka Streams application: builds {@link PageTopology}, configures Kafka
 * Streams (exactly-once v2, bounded RocksDB memory, standby replicas, {@code application.server}),
 * starts it, and exposes what the read path is built from (the stores through
 * {@link VersionStoreAccess}, the {@link WatermarkRegistry}; {@code Main} composes the reader), the
 * {@link Ownership} view and readiness.
 *
 * <p>Lifecycle: {@link #start(StreamsSettings)} looks up the WAL topic's partition
 * count (it must exist), starts Streams and returns at once (not yet {@link #ready()}; see
 * {@link #awaitReady}). {@link #close()} leaves the group (so partitions move at once), closes
 * Streams, then frees the shared RocksDB memory. A stream thread that dies of an unexpected error
 * is replaced; bad input never kills one (it is skipped and counted). A changelog whose restoration
 * a hanging transaction blocks is unblocked by {@link HangingTransactionGuard}. Thread-safe.
 */
public final class PageStreamsApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PageStreamsApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final StreamsSettings settings;
    private final PageTopologyConfig topologyConfig;
    private final RocksDbMemory memory;
    private final KafkaStreams streams;
    private final int partitionCount;
    private final PartitionLags lags;
    private final StreamsOwnership ownership;
    private final StreamsStoreAccess storeAccess;
    private final ScheduledExecutorService scheduler;
    private final Admin guardAdmin;
    private final HangingTransactionGuard hangingTransactions;

    private PageStreamsApp(StreamsSettings settings, ProcessorSupplier<byte[], byte[], Void, Void> hotTrimmer,
                           int partitionCount) {
        this.settings = settings;
        this.partitionCount = partitionCount;
        this.topologyConfig = PageTopologyConfig.of(settings.walTopic()).withHotTrimmer(hotTrimmer);
        this.memory = new RocksDbMemory(settings.rocksDbMemoryBytes());
        StreamsBuilder builder = new StreamsBuilder();
        PageTopology.build(builder, topologyConfig);
        Topology topology = builder.build();
        Properties props = properties(settings, memory);
        this.streams = new KafkaStreams(topology, props);
        this.guardAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, settings.applicationId() + "-hanging-transaction-guard"));
        this.hangingTransactions = new HangingTransactionGuard(guardAdmin,
                HangingTransactionGuard.stalledAfter(transactionTimeout(props)), System::nanoTime);
        streams.setGlobalStateRestoreListener(hangingTransactions);
        streams.setStandbyUpdateListener(new StandbyTracker(topologyConfig.watermarks()));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Page streams {} -> {}", before, now));
        this.lags = new PartitionLags(streams, settings.walTopic());
        HostInfo self = new HostInfo(settings.advertisedHost(), settings.advertisedPort());
        this.ownership = new StreamsOwnership(streams, topologyConfig.watermarks(), self, partitionCount,
                settings.standbyReadMaxLag(), lags);
        this.storeAccess = new StreamsStoreAccess(streams, partitionCount, topologyConfig.watermarks());
        // Two threads: a hanging-transaction check that waits on an unreachable broker does not hold up
        // the lag refresh the standby reads depend on.
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "page-streams-upkeep");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Builds, configures and starts the application.
     *
     * @throws IllegalStateException if the WAL topic cannot be described within the startup timeout
     */
    public static PageStreamsApp start(StreamsSettings settings) {
        return start(settings, null);
    }

    /**
     * Same, with a hot-store trimmer added to the topology (see {@code PageTopologyConfig#hotTrimmer});
     * null: no trimming.
     */
    public static PageStreamsApp start(StreamsSettings settings,
                                       ProcessorSupplier<byte[], byte[], Void, Void> hotTrimmer) {
        int partitions = walPartitions(settings);
        tuneVersionsChangelog(settings);
        PageStreamsApp app = new PageStreamsApp(settings, hotTrimmer, partitions);
        LOG.info("Starting page streams: application {} on {} ({} partitions), state {}, server {}, rocksdb {} MiB, "
                        + "{} standby replicas, {} threads, group instance {}, session timeout {} ms",
                settings.applicationId(), settings.walTopic(), partitions, settings.stateDir(),
                settings.applicationServer(), settings.rocksDbMemoryBytes() >> 20, settings.standbyReplicas(),
                settings.streamThreads(), settings.effectiveGroupInstanceId(), settings.sessionTimeout().toMillis());
        app.streams.start();
        app.scheduler.scheduleWithFixedDelay(app.lags::refresh, 1, 1, TimeUnit.SECONDS);
        app.scheduler.scheduleWithFixedDelay(app.hangingTransactions::check, 5, 5, TimeUnit.SECONDS);
        return app;
    }

    /** The changelog producer's batch size (Kafka's default is 16 KiB). */
    static final int CHANGELOG_BATCH_BYTES = 256 * 1024;

    static Properties properties(StreamsSettings s, RocksDbMemory memory) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, s.standbyReplicas());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.streamThreads());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, s.applicationServer());
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class);
        p.put(RocksDbMemory.CONFIG_KEY, memory);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        // Changelog records carry 8 KiB pages: at the default 16 KiB a batch held two of them, and
        // every batch starts an LZ4 frame (a JNI xxhash of its header): 16% of the apply thread's CPU
        // (JFR, 20 MB/s of WAL). 256 KiB batches hold ~30 pages per frame.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), CHANGELOG_BATCH_BYTES);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true); // no global stores; opts in early
        // Static membership: a restarted instance (same id) takes its assignment back at once, instead
        // of the group waiting out the dead member's session; the shorter session bounds how long a
        // dead instance's partitions wait to move (docs/recovery.md).
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, s.effectiveGroupInstanceId());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) s.sessionTimeout().toMillis());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, s.sessionTimeout().toMillis() / 4));
        p.putAll(s.extraProperties());
        return p;
    }

    /**
     * The stream threads' producer {@code transaction.timeout.ms}: an override in the properties, or
     * Kafka Streams' exactly-once default (10 s).
     */
    static Duration transactionTimeout(Properties p) {
        Object v = p.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        if (v == null) {
            v = p.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        }
        return v == null ? Duration.ofSeconds(10) : Duration.ofMillis(Long.parseLong(v.toString().trim()));
    }

    private static int walPartitions(StreamsSettings s) {
        long deadline = System.nanoTime() + s.startupTimeout().toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(s.walTopic())).allTopicNames()
                            .get(5, TimeUnit.SECONDS).get(s.walTopic());
                    return d.partitions().size();
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while describing " + s.walTopic(), e);
                    }
                    last = e;
                    sleep(500);
                }
            }
        }
        throw new IllegalStateException("WAL topic '" + s.walTopic() + "' could not be described on "
                + s.bootstrapServers() + " within " + s.startupTimeout().toSeconds() + " s", last);
    }

    /**
     * Applies {@link PageTopology#VERSIONS_CHANGELOG_CONFIG} to an existing {@code page-versions}
     * changelog (Kafka Streams sets topic configuration only when it creates the topic), so that a
     * deployment created before it also compacts its changelog. Best effort: a missing topic (first
     * start) or a refused change is logged, never fatal.
     */
    static void tuneVersionsChangelog(StreamsSettings s) {
        String topic = PageTopology.changelogTopic(s.applicationId(), PageTopology.PAGE_VERSIONS_STORE);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers()))) {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                return; // created by Kafka Streams with the configuration
            }
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            List<AlterConfigOp> ops = PageTopology.VERSIONS_CHANGELOG_CONFIG.entrySet().stream()
                    .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                    .toList();
            admin.incrementalAlterConfigs(Map.of(r, ops)).all().get(10, TimeUnit.SECONDS);
            LOG.info("changelog {}: compaction settings {}", topic, PageTopology.VERSIONS_CHANGELOG_CONFIG);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("could not apply the compaction settings to changelog {} (restores may read more than the hot "
                    + "store holds): {}", topic, e.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The {@code page-versions} and watermark stores of partitions held here (interactive queries),
     * for the read path {@code Main} builds.
     */
    public VersionStoreAccess storeAccess() {
        return storeAccess;
    }

    /** Who serves which page; readiness; per-partition progress. */
    public Ownership ownership() {
        return ownership;
    }

    /** Same as {@code ownership().ready()}. */
    public boolean ready() {
        return ownership.ready();
    }

    /** Blocks until {@link #ready()} or the timeout; returns the last answer. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Applied watermarks per (partition, timeline). */
    public WatermarkRegistry watermarks() {
        return topologyConfig.watermarks();
    }

    /** Applied and skipped records (for metrics). */
    public ApplyCounters counters() {
        return topologyConfig.counters();
    }

    /** Hanging transactions aborted on changelogs this instance was restoring (see {@link HangingTransactionGuard}). */
    public long hangingTransactionsAborted() {
        return hangingTransactions.aborted();
    }

    /** Partitions of the WAL topic. */
    public int partitionCount() {
        return partitionCount;
    }

    /** The shared RocksDB budget (for a usage gauge). */
    public RocksDbMemory rocksDbMemory() {
        return memory;
    }

    /** The Streams client, for binding its metrics (e.g. Micrometer's KafkaStreamsMetrics). */
    public KafkaStreams streams() {
        return streams;
    }

    public StreamsSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        guardAdmin.close(Duration.ofSeconds(5));
        boolean clean = streams.close(CloseOptions.groupMembershipOperation(
                CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(CLOSE_TIMEOUT));
        if (!clean) {
            LOG.warn("Page streams did not close within {} s; leaving RocksDB memory allocated", CLOSE_TIMEOUT.toSeconds());
            return;
        }
        memory.close();
        LOG.info("Page streams closed");
    }
}
