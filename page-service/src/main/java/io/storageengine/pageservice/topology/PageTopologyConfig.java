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
                                 ProcessorSupplier<byte[], byte[], Void, Void> hotTrimmer) {
    public PageTopologyConfig(String walTopic, WatermarkRegistry watermarks, ApplyCounters counters) {
        this(walTopic, watermarks, counters, null);
    }

    public PageTopologyConfig {
        Objects.requireNonNull(walTopic, "walTopic");
        Objects.requireNonNull(watermarks, "watermarks");
        Objects.requireNonNull(counters, "counters");
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
        return new PageTopologyConfig(walTopic, watermarks, counters, trimmer);
    }
}
