package io.storageengine.pageservice.topology;

import java.util.Map;
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
 * <p>The {@code page-versions} changelog is compacted with {@link #VERSIONS_CHANGELOG_CONFIG}: small
 * segments that roll every minute and a bounded compaction lag, so that the versions the hot-store
 * trimmer deleted (tombstones) leave the log within minutes and a restore after a crash reads about
 * what the hot store holds, not every version ever ingested (Kafka's defaults, 1 GiB segments rolled
 * weekly, kept the whole WAL's versions in the uncleanable active segment).
 *
 * <p>Record caching is disabled on both stores: interactive queries must see a version as soon as
 * a later watermark that covers it is visible, and nothing is forwarded downstream anyway.
 * Stateless builder.
 */
public final class PageTopology {
    /** RocksDB store of page versions: key 57-byte VersionKey, value StoredVersion bytes. */
    public static final String PAGE_VERSIONS_STORE = "page-versions";
    /**
     * Topic configuration of the {@code page-versions} changelog (set at creation by Kafka Streams,
     * and on an existing changelog at start by {@code PageStreamsApp}): segments roll after 1 min or
     * 64 MiB so the cleaner can compact them; a dirty record waits at most 5 min for compaction; a
     * tombstone survives 10 min after compaction (a restore that read the version it deletes within
     * that time also reads the tombstone; one that takes longer may keep the version, which is a
     * correct old version of the page that the trimmer deletes again).
     */
    public static final Map<String, String> VERSIONS_CHANGELOG_CONFIG = Map.of(
            "segment.ms", "60000",
            "segment.bytes", Integer.toString(64 << 20),
            "max.compaction.lag.ms", "300000",
            "min.cleanable.dirty.ratio", "0.5",
            "delete.retention.ms", "600000");
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

    /** The changelog topic of {@code store} in application {@code applicationId}. */
    public static String changelogTopic(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
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
                .withLoggingEnabled(VERSIONS_CHANGELOG_CONFIG);
    }
}
