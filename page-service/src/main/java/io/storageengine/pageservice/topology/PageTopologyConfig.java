package io.storageengine.pageservice.topology;

import java.util.Objects;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * What {@link PageTopology#build} needs: the WAL topic's name and the shared, thread-safe
 * collaborators the processors report into (the watermark registry the read path waits on, and
 * the counters of skipped input), and optionally the hot-store trimmer (a processor sharing the
 * {@code page-versions} store; null: no trimming). Immutable holder; the collaborators themselves
 * are thread-safe.
 */
public record PageTopologyConfig(String walTopic, WatermarkRegistry watermarks, ApplyCounters counters,
                                 ProcessorSupplier<byte[], byte[], Void, Void> hotTrimmer, HotStoreEngine hotStore) {
    /**
     * The storage engine under {@code page-versions}. {@link #BOUNDED} (the default) is
     * {@code hotstore}'s RocksDB store with bounded scans; {@link #KAFKA_ROCKSDB} is Kafka Streams'
     * own RocksDB store, kept only as the baseline benchmarks compare against.
     */
    public enum HotStoreEngine { BOUNDED, KAFKA_ROCKSDB }

    public PageTopologyConfig(String walTopic, WatermarkRegistry watermarks, ApplyCounters counters) {
        this(walTopic, watermarks, counters, null, HotStoreEngine.BOUNDED);
    }

    public PageTopologyConfig {
        Objects.requireNonNull(walTopic, "walTopic");
        Objects.requireNonNull(watermarks, "watermarks");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(hotStore, "hotStore");
        if (walTopic.isBlank()) {
            throw new IllegalArgumentException("empty WAL topic name");
        }
    }

    /** A config with a fresh registry and fresh counters. */
    public static PageTopologyConfig of(String walTopic) {
        return new PageTopologyConfig(walTopic, new WatermarkRegistry(), new ApplyCounters());
    }

    /** This config with a hot-store trimmer (null: none). */
    public PageTopologyConfig withHotTrimmer(ProcessorSupplier<byte[], byte[], Void, Void> trimmer) {
        return new PageTopologyConfig(walTopic, watermarks, counters, trimmer, hotStore);
    }

    /** This config with another hot-store engine (benchmarks). */
    public PageTopologyConfig withHotStore(HotStoreEngine engine) {
        return new PageTopologyConfig(walTopic, watermarks, counters, hotTrimmer, engine);
    }
}
