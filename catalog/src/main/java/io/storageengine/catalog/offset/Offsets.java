package io.storageengine.catalog.offset;

import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.internal.LeaseSql;
import io.storageengine.catalog.internal.OffsetSql;
import io.storageengine.catalog.internal.TimelineSql;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Committed Kafka offsets ({@code partition_offsets}): where a consumer group resumes in a
 * partition. An L0 registration commits the offset with its segment
 * ({@code SegmentMap.registerL0}); this class moves it without a segment (a batch of watermarks
 * only) and reads it. Offsets never move backwards; writes are lease-checked and idempotent.
 * Thread-safe.
 */
public final class Offsets {
    private final ConnectionSource connections;

    /** @param connections the primary: every call here writes or must see the latest writes */
    public Offsets(ConnectionSource connections) {
        this.connections = connections;
    }

    /**
     * Moves the committed offset forward without a segment (e.g. a batch holding only
     * watermarks). Never moves it backwards. Lease-checked; idempotent.
     *
     * @throws io.storageengine.catalog.lease.StaleLeaseException if the lease was taken over
     */
    public void commit(Lease lease, OffsetKey key, long nextOffset) {
        commit(lease, key, nextOffset, Map.of());
    }

    /**
     * {@link #commit(Lease, OffsetKey, long)} that also raises the newest LSN of the timelines
     * seen in the committed records (watermarks), in the same transaction.
     */
    public void commit(Lease lease, OffsetKey key, long nextOffset, Map<TimelineKey, Long> newestLsns) {
        if (key.partition() != lease.partition()) {
            throw new IllegalArgumentException("offset partition " + key.partition() + " differs from the lease's " + lease.partition());
        }
        connections.transaction("commitOffset", c -> {
            LeaseSql.checkEpoch(c, lease);
            OffsetSql.raise(c, key, nextOffset);
            TimelineSql.touchAll(c, newestLsns);
            return null;
        });
    }

    /** The next offset to consume for {@code key}, if one was committed. */
    public OptionalLong committed(OffsetKey key) {
        return connections.transaction("committedOffset", c -> OffsetSql.committed(c, key, false));
    }
}
