package io.storageengine.pageservice.topology;

import io.storageengine.schemas.timeline.TimelineKey;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The in-memory mirror of the applied watermarks, per (partition, timeline), that the read path
 * waits on (invariant 3: a read at L waits until its partition's watermark reaches L).
 *
 * <p>Writers: the WAL processor of each active task ({@link #activate} on task init, after the
 * stores are restored, so a restarted or newly assigned instance starts from the stored marks;
 * {@link #advance} per WATERMARK; {@link #release} on task close) and the standby tracker
 * ({@link #standby}). Readers: any thread. A partition's {@link PartitionMarks} object, once
 * created, lives as long as the registry, so waiters can hold it across role changes.
 *
 * <p>It also carries {@link PageChanges} (pages that got a version), which the apply processors
 * share with the read path, as each active partition's marks carry its store
 * ({@link PartitionMarks#activeStore()}).
 *
 * <p>Thread-safe: the partition table is copy-on-write (grown under a lock, read lock-free);
 * marks are volatile; waiters block on a per-partition condition signalled by every change.
 */
public final class WatermarkRegistry {
    private final Object growLock = new Object();
    private volatile PartitionMarks[] partitions = new PartitionMarks[0];
    private final PageChanges pageChanges = new PageChanges();

    /** The page versions stored on partitions applied here (for caches of reconstructed pages). */
    public PageChanges pageChanges() {
        return pageChanges;
    }

    /** The marks of a partition, or {@code null} if this instance never served it. */
    public PartitionMarks partition(int partition) {
        PartitionMarks[] p = partitions;
        return partition >= 0 && partition < p.length ? p[partition] : null;
    }

    private PartitionMarks getOrCreate(int partition) {
        PartitionMarks pm = partition(partition);
        if (pm != null) {
            return pm;
        }
        synchronized (growLock) {
            PartitionMarks[] p = partitions;
            if (partition >= p.length) {
                p = Arrays.copyOf(p, Math.max(partition + 1, p.length * 2));
            } else {
                p = p.clone();
            }
            if (p[partition] == null) {
                p[partition] = new PartitionMarks(partition);
            }
            partitions = p;
            return p[partition];
        }
    }

    /**
     * An active task took the partition: its marks become {@code stored} (what the store holds
     * now) and reads go to {@code versions}, its {@code page-versions} store, until {@link #release}.
     */
    public void activate(int partition, Map<TimelineKey, Long> stored, ReadOnlyKeyValueStore<byte[], byte[]> versions) {
        getOrCreate(partition).reset(PartitionMarks.Role.ACTIVE, stored, versions);
    }

    /** The active task of the partition closed (revoked, migrated, shut down). */
    public void release(int partition) {
        PartitionMarks pm = partition(partition);
        if (pm != null) {
            pm.clearIf(PartitionMarks.Role.ACTIVE);
        }
    }

    /** A standby replica of the partition loaded marks {@code stored}; ignored while the partition is active here. */
    public void standby(int partition, Map<TimelineKey, Long> stored) {
        getOrCreate(partition).resetUnlessActive(stored);
    }

    /** The standby replica of the partition stopped (promoted, revoked, closed). */
    public void releaseStandby(int partition) {
        PartitionMarks pm = partition(partition);
        if (pm != null) {
            pm.clearIf(PartitionMarks.Role.STANDBY);
        }
    }

    /** Wakes the partition's waiters so that they re-check (e.g. a standby loaded a batch). */
    public void touch(int partition) {
        PartitionMarks pm = partition(partition);
        if (pm != null) {
            pm.changed();
        }
    }

    /**
     * Raises the watermark of (partition, timeline) to {@code lsn} if higher (unsigned).
     *
     * @return true if it rose
     */
    public boolean advance(int partition, TimelineKey timeline, long lsn) {
        return getOrCreate(partition).advance(timeline, lsn);
    }

    /** Records that the timeline has data on the partition (mark 0 if it had none). @return true if new */
    public boolean markSeen(int partition, TimelineKey timeline) {
        return getOrCreate(partition).markSeen(timeline);
    }

    /** True if some partition served here (active or standby) has seen the timeline. */
    public boolean knows(TimelineKey timeline) {
        for (PartitionMarks pm : partitions) {
            if (pm != null && pm.role() != null && pm.mark(timeline) != null) {
                return true;
            }
        }
        return false;
    }

    /** Partitions currently active here, ascending. */
    public int[] activePartitions() {
        return partitionsWith(PartitionMarks.Role.ACTIVE);
    }

    /** Partitions currently held as standby here, ascending. */
    public int[] standbyPartitions() {
        return partitionsWith(PartitionMarks.Role.STANDBY);
    }

    private int[] partitionsWith(PartitionMarks.Role role) {
        return Arrays.stream(partitions).filter(pm -> pm != null && pm.role() == role)
                .mapToInt(PartitionMarks::partitionId).toArray();
    }

    /** Snapshot for status and metrics: partition → (timeline → applied LSN), served partitions only. */
    public Map<Integer, Map<TimelineKey, Long>> snapshot() {
        Map<Integer, Map<TimelineKey, Long>> out = new TreeMap<>();
        for (PartitionMarks pm : partitions) {
            if (pm != null && pm.role() != null) {
                out.put(pm.partitionId(), pm.snapshot());
            }
        }
        return out;
    }
}
