package io.storageengine.pageservice.topology;

import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.VersionStoreAccess;
import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The page topology under a {@link TopologyTestDriver} (one partition, 0), with its registry,
 * counters and a {@link VersionStoreAccess} over the driver's stores. Closes the driver.
 */
public final class TopologyFixture implements AutoCloseable, VersionStoreAccess {
    public static final String TOPIC = "wal";

    public final PageTopologyConfig config;
    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], byte[]> input;
    private final Path stateDir;

    public TopologyFixture() {
        this(Map.of());
    }

    /** With extra Streams properties (e.g. a RocksDB config setter). */
    public TopologyFixture(Map<String, Object> extraProperties) {
        this(extraProperties, PageTopologyConfig.of(TOPIC));
    }

    /** With extra Streams properties and a topology config of its own (topic {@link #TOPIC}). */
    public TopologyFixture(Map<String, Object> extraProperties, PageTopologyConfig config) {
        this.config = config;
        StreamsBuilder builder = new StreamsBuilder();
        PageTopology.build(builder, config);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "page-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        try {
            stateDir = Files.createTempDirectory("page-topology-test");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putAll(extraProperties);
        driver = new TopologyTestDriver(builder.build(), props);
        input = driver.createInputTopic(TOPIC, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * As the page service runs it: RocksDB stores on the shared bounded-memory budget
     * ({@link io.storageengine.pageservice.hotstore.BoundedMemoryRocksDbConfig}), {@code page-versions}
     * on the given engine (benchmarks compare the two). The caller closes {@code memory} after this.
     */
    public static TopologyFixture onSharedRocksDb(io.storageengine.pageservice.hotstore.RocksDbMemory memory,
                                                  PageTopologyConfig.HotStoreEngine engine) {
        return new TopologyFixture(Map.of(
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                io.storageengine.pageservice.hotstore.BoundedMemoryRocksDbConfig.class,
                io.storageengine.pageservice.hotstore.RocksDbMemory.CONFIG_KEY, memory),
                PageTopologyConfig.of(TOPIC).withHotStore(engine));
    }

    public void pipe(Iterable<SyntheticWal.Event> events) {
        for (SyntheticWal.Event e : events) {
            input.pipeInput(e.key(), e.value());
        }
    }

    public WatermarkRegistry registry() {
        return config.watermarks();
    }

    public ApplyCounters counters() {
        return config.counters();
    }

    public KeyValueStore<byte[], byte[]> versionsStore() {
        return driver.getKeyValueStore(PageTopology.PAGE_VERSIONS_STORE);
    }

    public KeyValueStore<byte[], byte[]> watermarksStore() {
        return driver.getKeyValueStore(PageTopology.WATERMARKS_STORE);
    }

    @Override
    public int partitionCount() {
        return 1;
    }

    @Override
    public ReadOnlyKeyValueStore<byte[], byte[]> versions(int partition, PartitionMarks.Role role) {
        return versionsStore();
    }

    @Override
    public Long standbyWatermark(int partition, TimelineKey timeline) throws PageReadException.Unavailable {
        byte[] v = versionsStore().get(WatermarkKeys.key(partition, timeline));
        return v == null ? null : WatermarkKeys.lsnOf(v);
    }

    @Override
    public void close() {
        driver.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort: a temporary directory
        }
    }
}
