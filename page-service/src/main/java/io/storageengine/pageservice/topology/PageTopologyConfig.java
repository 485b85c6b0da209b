package io.storageengine.pageservice.topology;

import java.util.Objects;

/**
 * What {@link PageTopology#build} needs: the WAL topic's name and the shared, thread-safe
 * collaborators the processors report into (the watermark registry the read path waits on, and
 * the counters of skipped input). Immutable holder; the collaborators themselves are thread-safe.
 */
public record PageTopologyConfig(String walTopic, WatermarkRegistry watermarks, ApplyCounters counters) {
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
}
