package io.storageengine.pageservice.topology;

import io.storageengine.pageservice.hotstore.HotStoreSupplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the page-service topology: source {@code wal} (raw bytes) → processor {@code apply-wal}
 * ({@link WalApplyProcessor}) with two RocksDB stores, each backed by a changelog topic named
 * after it ({@code <application.id>-page-versions-changelog},
 * {@code <application.id>-applied-watermarks-changelog}). {@code page-versions} is a
 * {@link HotStoreSupplier} store (RocksDB with bounded range scans), the watermarks store Kafka
 * Streams' own RocksDB store. With a hot trimmer configured, a second
 * processor {@code trim-hot} receives the same records (and ignores them) and shares
 * {@code page-versions}, deleting through it from a punctuator. Every node, store and internal topic has
 * an explicit, stable name, so a topology change never silently renames state.
 *
 * <p>Record caching is disabled on both stores: interactive queries must see a version as soon as
 * a later watermark that covers it is visible, and nothing is forwarded downstream anyway.
 * Stateless builder.
 */
public final class PageTopology {
    /** RocksDB store of page versions: key 57-byte VersionKey, value StoredVersion bytes. */
    public static final String PAGE_VERSIONS_STORE = "page-versions";
    /** RocksDB store of applied watermarks: key partition | timeline key (36 bytes), value lsn (8). */
    public static final String WATERMARKS_STORE = "applied-watermarks";
    /** Name of the source node. */
    public static final String SOURCE_NAME = "wal-source";
    /** Name of the processor node. */
    public static final String PROCESSOR_NAME = "apply-wal";
    /** Name of the optional hot-store trimming node (same task, shares {@link #PAGE_VERSIONS_STORE}). */
    public static final String TRIM_PROCESSOR_NAME = "trim-hot";

    private PageTopology() {
    }

    /** Adds the stores, the source and the processor to {@code builder}. */
    public static void build(StreamsBuilder builder, PageTopologyConfig config) {
        builder.addStateStore(config.hotStore() == PageTopologyConfig.HotStoreEngine.BOUNDED
                ? versionsStore(PAGE_VERSIONS_STORE) : store(PAGE_VERSIONS_STORE));
        builder.addStateStore(store(WATERMARKS_STORE));
        KStream<byte[], byte[]> wal = builder.stream(config.walTopic(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SOURCE_NAME));
        wal.process(() -> new WalApplyProcessor(config.watermarks(), config.counters()),
                Named.as(PROCESSOR_NAME), PAGE_VERSIONS_STORE, WATERMARKS_STORE);
        if (config.hotTrimmer() != null) {
            wal.process(config.hotTrimmer(), Named.as(TRIM_PROCESSOR_NAME), PAGE_VERSIONS_STORE);
        }
    }

    private static StoreBuilder<KeyValueStore<byte[], byte[]>> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.ByteArray(), Serdes.ByteArray())
                .withCachingDisabled()
                .withLoggingEnabled(java.util.Map.of());
    }

    /** The versions store: page reads scan it per page, so its scans must stop at the page (see hotstore). */
    private static StoreBuilder<KeyValueStore<byte[], byte[]>> versionsStore(String name) {
        return Stores.keyValueStoreBuilder(new HotStoreSupplier(name), Serdes.ByteArray(), Serdes.ByteArray())
                .withCachingDisabled()
                .withLoggingEnabled(java.util.Map.of());
    }
}
