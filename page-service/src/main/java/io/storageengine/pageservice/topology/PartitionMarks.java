package io.storageengine.pageservice.topology;

import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The applied watermarks of one partition, per timeline, and the condition readers wait on.
 *
 * <p>Waiting without a busy loop and without a lost wake-up: a writer bumps {@link #version()}
 * (volatile) and then, only if someone waits, signals under the lock; a waiter registers, then
 * re-reads the version under the lock before sleeping. Either the writer sees the waiter or the
 * waiter sees the new version. The stream thread never takes the lock when nobody waits.
 *
 * <p>While the partition is ACTIVE here it also holds the active task's {@code page-versions} store
 * ({@link #activeStore()}), set and cleared with the role: the read path reads through it instead
 * of an interactive-query handle, which walks the stream threads' tasks on every call (37% of a
 * random-page read's CPU under 20 MB/s of ingest, docs/page-service.md "Read path").
 *
 * <p>Thread-safe. {@link #role()} null means this instance does not serve the partition now.
 */
public final class PartitionMarks {
    /** How this instance holds the partition. */
    public enum Role { ACTIVE, STANDBY }

    /** One timeline's applied watermark on this partition; LSNs compare unsigned. */
    public static final class Mark {
        private volatile long lsn;

        Mark(long lsn) {
            this.lsn = lsn;
        }

        public long lsn() {
            return lsn;
        }
    }

    private final int partition;
    private final ConcurrentHashMap<TimelineKey, Mark> marks = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private final AtomicInteger waiters = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Role role;
    private volatile long tenure;
    private volatile ReadOnlyKeyValueStore<byte[], byte[]> activeStore;

    PartitionMarks(int partition) {
        this.partition = partition;
    }

    public int partitionId() {
        return partition;
    }

    public Role role() {
        return role;
    }

    /**
     * The {@code page-versions} store of the partition's active task while it runs here, as its
     * apply processor holds it (Kafka Streams' read-write decorator, which only delegates); null
     * when the partition is not active here. A read racing the task's close fails as an
     * interactive query would: the closed store throws {@code InvalidStateStoreException}.
     */
    public ReadOnlyKeyValueStore<byte[], byte[]> activeStore() {
        return activeStore;
    }

    /**
     * Changes whenever this instance takes or gives up the partition (activation, release): what
     * was derived from the partition's store under one tenure (a cached page) is not trusted under
     * another, since the store may have been restored or rewritten in between.
     */
    public long tenure() {
        return tenure;
    }

    /** Incremented on every change of marks or role. */
    public long version() {
        return version.get();
    }

    /** The timeline's mark, or {@code null} if the timeline was never seen on this partition. */
    public Mark mark(TimelineKey timeline) {
        return marks.get(timeline);
    }

    /** The highest mark of any timeline (unsigned), 0 if none: for metrics. */
    public long maxApplied() {
        long max = 0;
        for (Mark m : marks.values()) {
            if (Lsn.isAfter(m.lsn, max)) {
                max = m.lsn;
            }
        }
        return max;
    }

    public Map<TimelineKey, Long> snapshot() {
        Map<TimelineKey, Long> out = new HashMap<>();
        marks.forEach((t, m) -> out.put(t, m.lsn));
        return out;
    }

    /**
     * Blocks until {@link #version()} differs from {@code seenVersion} or {@code nanos} pass.
     *
     * @return false if the time ran out first
     */
    public boolean awaitChange(long seenVersion, long nanos) throws InterruptedException {
        lock.lock();
        waiters.incrementAndGet();
        try {
            long remaining = nanos;
            while (version.get() == seenVersion) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = changed.awaitNanos(remaining);
            }
            return true;
        } finally {
            waiters.decrementAndGet();
            lock.unlock();
        }
    }

    void changed() {
        version.incrementAndGet();
        if (waiters.get() > 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    boolean advance(TimelineKey timeline, long lsn) {
        Mark m = marks.get(timeline);
        if (m == null) {
            m = marks.computeIfAbsent(timeline, t -> new Mark(0));
        }
        if (!Lsn.isAfter(lsn, m.lsn)) {
            return false;
        }
        m.lsn = lsn; // single writer per partition: the task's stream thread
        changed();
        return true;
    }

    boolean markSeen(TimelineKey timeline) {
        if (marks.containsKey(timeline)) {
            return false;
        }
        boolean added = marks.putIfAbsent(timeline, new Mark(0)) == null;
        if (added) {
            changed();
        }
        return added;
    }

    synchronized void reset(Role newRole, Map<TimelineKey, Long> stored, ReadOnlyKeyValueStore<byte[], byte[]> store) {
        marks.clear();
        stored.forEach((t, lsn) -> marks.put(t, new Mark(lsn)));
        tenure++;
        activeStore = newRole == Role.ACTIVE ? store : null;
        role = newRole;
        changed();
    }

    synchronized void resetUnlessActive(Map<TimelineKey, Long> stored) {
        if (role == Role.ACTIVE) {
            return;
        }
        boolean change = role != Role.STANDBY;
        for (Map.Entry<TimelineKey, Long> e : stored.entrySet()) {
            Mark m = marks.get(e.getKey());
            if (m == null) {
                marks.put(e.getKey(), new Mark(e.getValue()));
                change = true;
            } else if (Lsn.isAfter(e.getValue(), m.lsn)) {
                m.lsn = e.getValue();
                change = true;
            }
        }
        if (role != Role.STANDBY) {
            tenure++;
        }
        role = Role.STANDBY;
        if (change) {
            changed();
        }
    }

    synchronized void clearIf(Role expected) {
        if (role == expected) {
            activeStore = null;
            role = null;
            tenure++;
            marks.clear();
            changed();
        }
    }

    @Override
    public String toString() {
        return "partition " + partition + " (" + role + ", " + marks.size() + " timelines)";
    }
}
