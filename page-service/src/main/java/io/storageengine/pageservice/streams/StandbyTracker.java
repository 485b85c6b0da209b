package io.storageengine.pageservice.streams;

import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.topology.WatermarkRegistry;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Tells the {@link WatermarkRegistry} which partitions this instance holds as standby replicas and
 * wakes readers waiting on them whenever a batch of the versions changelog is loaded (the reader
 * then re-reads the standby's watermark marker). Called by Kafka Streams' state-updater thread; stateless
 * apart from the thread-safe registry.
 */
final class StandbyTracker implements StandbyUpdateListener {
    private final WatermarkRegistry registry;

    StandbyTracker(WatermarkRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onUpdateStart(TopicPartition changelog, String storeName, long startingOffset) {
        if (PageTopology.PAGE_VERSIONS_STORE.equals(storeName)) {
            registry.standby(changelog.partition(), Map.of());
        }
    }

    @Override
    public void onBatchLoaded(TopicPartition changelog, String storeName, TaskId taskId, long batchEndOffset,
            long batchSize, long currentEndOffset) {
        if (PageTopology.PAGE_VERSIONS_STORE.equals(storeName)) {
            registry.touch(changelog.partition());
        }
    }

    @Override
    public void onUpdateSuspended(TopicPartition changelog, String storeName, long storeOffset,
            long currentEndOffset, SuspendReason reason) {
        if (PageTopology.PAGE_VERSIONS_STORE.equals(storeName)) {
            registry.releaseStandby(changelog.partition());
        }
    }
}
