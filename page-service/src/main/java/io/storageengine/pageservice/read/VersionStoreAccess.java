package io.storageengine.pageservice.read;

import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.schemas.timeline.TimelineKey;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * How the read path reaches the local stores of one {@code wal} partition: through Kafka Streams
 * interactive queries in production, through a test driver in tests. Thread-safe.
 */
public interface VersionStoreAccess {

    /** Partitions of the WAL topic (fixed for the life of the topic: keys never move). */
    int partitionCount();

    /**
     * The {@code page-versions} store of a partition held here in {@code role}.
     *
     * @throws PageReadException.Unavailable if it cannot be queried now (migrating, restoring)
     */
    ReadOnlyKeyValueStore<byte[], byte[]> versions(int partition, PartitionMarks.Role role)
            throws PageReadException.Unavailable;

    /**
     * The watermark of a timeline that a standby replica of the partition holds now, or
     * {@code null} if it has none. Read from the watermark marker in the standby's
     * {@code page-versions} store (see {@code WatermarkKeys}): one changelog carries versions and
     * markers in order, so the standby never claims a watermark before holding the versions below it.
     *
     * @throws PageReadException.Unavailable if the standby store cannot be queried now
     */
    Long standbyWatermark(int partition, TimelineKey timeline) throws PageReadException.Unavailable;
}
