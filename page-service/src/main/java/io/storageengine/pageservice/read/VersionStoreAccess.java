package io.storageengine.pageservice.read;

import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.Map;
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
     * The watermarks a standby replica of the partition holds now (read from its
     * {@code applied-watermarks} store).
     *
     * @throws PageReadException.Unavailable if the standby store cannot be queried now
     */
    Map<TimelineKey, Long> standbyWatermarks(int partition) throws PageReadException.Unavailable;
}
