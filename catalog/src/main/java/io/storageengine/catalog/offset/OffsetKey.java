package io.storageengine.catalog.offset;

import java.util.Objects;

/** Which committed offset: a consumer group's position in one partition of one topic. Immutable. */
public record OffsetKey(String consumerGroup, String topic, int partition) {
    public OffsetKey {
        Objects.requireNonNull(consumerGroup, "consumerGroup");
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
    }
}
