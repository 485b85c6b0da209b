package io.storageengine.pageservice.streams;

import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.VersionStoreAccess;
import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.WatermarkKeys;
import io.storageengine.pageservice.topology.WatermarkRegistry;
import io.storageengine.schemas.timeline.TimelineKey;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The read path's access to local stores. A partition whose active task runs here is read through
 * the store its apply processor activated it with ({@link PartitionMarks#activeStore()}: no
 * per-call task lookup); any other, and a standby replica (through {@code enableStaleStores}),
 * through Kafka Streams interactive queries, one partition at a time ({@code withPartition}).
 * Interactive-query handles are cached per partition and role: a handle resolves the live store
 * on every call. Either kind throws {@link InvalidStateStoreException} once the partition has
 * moved, which becomes a 503. Thread-safe.
 */
final class StreamsStoreAccess implements VersionStoreAccess {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final KafkaStreams streams;
    private final int partitions;
    private final WatermarkRegistry registry;
    private final AtomicReferenceArray<ReadOnlyKeyValueStore<byte[], byte[]>> active;
    private final AtomicReferenceArray<ReadOnlyKeyValueStore<byte[], byte[]>> stale;

    StreamsStoreAccess(KafkaStreams streams, int partitions, WatermarkRegistry registry) {
        this.streams = streams;
        this.partitions = partitions;
        this.registry = registry;
        this.active = new AtomicReferenceArray<>(partitions);
        this.stale = new AtomicReferenceArray<>(partitions);
    }

    @Override
    public int partitionCount() {
        return partitions;
    }

    @Override
    public ReadOnlyKeyValueStore<byte[], byte[]> versions(int partition, PartitionMarks.Role role)
            throws PageReadException.Unavailable {
        if (role == PartitionMarks.Role.ACTIVE) {
            PartitionMarks marks = registry.partition(partition);
            ReadOnlyKeyValueStore<byte[], byte[]> running = marks == null ? null : marks.activeStore();
            if (running != null) {
                return running;
            }
        }
        AtomicReferenceArray<ReadOnlyKeyValueStore<byte[], byte[]>> cache =
                role == PartitionMarks.Role.STANDBY ? stale : active;
        ReadOnlyKeyValueStore<byte[], byte[]> store = cache.get(partition);
        if (store == null) {
            store = open(PageTopology.PAGE_VERSIONS_STORE, partition, role == PartitionMarks.Role.STANDBY);
            cache.set(partition, store);
        }
        return store;
    }

    @Override
    public Long standbyWatermark(int partition, TimelineKey timeline) throws PageReadException.Unavailable {
        try {
            byte[] v = versions(partition, PartitionMarks.Role.STANDBY).get(WatermarkKeys.key(partition, timeline));
            return v == null || v.length != 8 ? null : WatermarkKeys.lsnOf(v);
        } catch (InvalidStateStoreException e) {
            stale.set(partition, null);
            throw unavailable(partition, e);
        }
    }

    private ReadOnlyKeyValueStore<byte[], byte[]> open(String store, int partition, boolean staleOk)
            throws PageReadException.Unavailable {
        StoreQueryParameters<ReadOnlyKeyValueStore<byte[], byte[]>> q = StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<byte[], byte[]>keyValueStore())
                .withPartition(partition);
        try {
            return streams.store(staleOk ? q.enableStaleStores() : q);
        } catch (InvalidStateStoreException e) {
            throw unavailable(partition, e);
        }
    }

    private static PageReadException.Unavailable unavailable(int partition, InvalidStateStoreException e) {
        return new PageReadException.Unavailable("store of partition " + partition + " cannot be queried now: "
                + e.getMessage(), RETRY_AFTER);
    }
}
