package io.storageengine.pageservice.relations;

import io.storageengine.pageservice.relations.internal.ForkHistory;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * What this instance knows of the relations topic: per timeline, each relation fork's sizes by LSN
 * ({@link ForkHistory}) and each topic partition's newest relation WATERMARK.
 *
 * <p>Completeness rule: the history of timeline T is complete up to {@link #completeLsn}(T), the
 * lowest WATERMARK of T over every partition of the topic (0 while a partition has none). A
 * producer sends its watermark to every partition in the same transaction as the size changes it
 * covers, and this history is fed in partition order, read_committed; so every size change of T
 * with an LSN ≤ completeLsn(T) is here.
 *
 * <p>Bounds: entries per fork ≤ {@code maxEntriesPerFork}, and while the total is above
 * {@code maxEntries} every fork that gains an entry folds its older half away (its floor rises;
 * reads below a floor get 410); {@link #trim} drops what a GC horizon makes unreachable and forgets
 * dropped forks whose drop is at or below it. So memory is about 16 bytes × min(size changes above
 * the GC horizon, maxEntries + live forks), plus a map entry per fork.
 *
 * <p>Thread-safe. One writer thread ({@link RelationFollower}) calls {@link #apply}, {@link #trim},
 * {@link #changed}; any thread reads and waits. Waiting follows {@code PartitionMarks}: a version
 * counter bumped by the writer, a condition signalled only when someone waits.
 */
public final class RelationHistory {
    /** Default cap of size changes kept per relation fork (16 MiB of arrays). */
    public static final int DEFAULT_MAX_ENTRIES_PER_FORK = 1 << 20;
    /** Default cap of size changes kept in all (128 MiB of arrays). */
    public static final long DEFAULT_MAX_ENTRIES = 8L << 20;

    /** A size lookup: exists / blocks, or below the fork's floor. */
    public sealed interface Answer {
        record Size(boolean exists, long nblocks) implements Answer {
        }

        record BelowFloor(Lsn floor) implements Answer {
        }
    }

    private static final class Timeline {
        final ConcurrentHashMap<RelFork, ForkHistory> forks = new ConcurrentHashMap<>();
        volatile long[] watermarks = new long[0]; // per partition; replaced by the writer
    }

    private final int maxEntriesPerFork;
    private final long maxEntries;
    private final ConcurrentHashMap<TimelineKey, Timeline> timelines = new ConcurrentHashMap<>();
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong version = new AtomicLong();
    private final AtomicInteger waiters = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changedCondition = lock.newCondition();
    private volatile int partitions;
    private volatile boolean loaded;

    public RelationHistory() {
        this(DEFAULT_MAX_ENTRIES_PER_FORK, DEFAULT_MAX_ENTRIES);
    }

    public RelationHistory(int maxEntriesPerFork, long maxEntries) {
        this.maxEntriesPerFork = maxEntriesPerFork;
        this.maxEntries = maxEntries;
    }

    // ---- writer side

    /** The topic's partition count (every partition must have a watermark for completeness). */
    public void partitions(int count) {
        this.partitions = count;
        changed();
    }

    /** The follower reached the end offsets it saw at start: answers may be given now. */
    public void loaded() {
        this.loaded = true;
        changed();
    }

    /** Applies one record of {@code partition}. Call {@link #changed} after a batch. */
    public void apply(int partition, TimelineKey timeline, RelFork fork, RelationRecord record) {
        Timeline t = timelines.computeIfAbsent(timeline, k -> new Timeline());
        switch (record) {
            case RelationRecord.Size s -> {
                if (fork == null) {
                    throw new IllegalArgumentException("size record without a fork at " + Lsn.format(s.lsn()));
                }
                ForkHistory h = t.forks.computeIfAbsent(fork, f -> new ForkHistory(maxEntriesPerFork));
                long total = entries.addAndGet(h.put(s.lsn(), s.exists() ? s.nblocks() : ForkHistory.ABSENT));
                if (total > maxEntries) {
                    entries.addAndGet(-h.foldOldestHalf()); // the fork that grows pays
                }
            }
            case RelationRecord.Watermark w -> {
                long[] marks = t.watermarks;
                if (partition >= marks.length) {
                    marks = Arrays.copyOf(marks, partition + 1);
                } else if (!Lsn.of(w.lsn()).isAfter(Lsn.of(marks[partition]))) {
                    return;
                } else {
                    marks = marks.clone();
                }
                marks[partition] = w.lsn();
                t.watermarks = marks;
            }
        }
    }

    /** Drops history below each timeline's GC horizon ({@code horizons}; 0: keep all). @return entries dropped */
    public long trim(Function<TimelineKey, Lsn> horizons) {
        long dropped = 0;
        for (Map.Entry<TimelineKey, Timeline> te : timelines.entrySet()) {
            long h = horizons.apply(te.getKey()).value();
            if (h == 0) {
                continue;
            }
            for (Map.Entry<RelFork, ForkHistory> fe : te.getValue().forks.entrySet()) {
                ForkHistory fh = fe.getValue();
                int n = fh.trimBelow(h);
                if (fh.goneAt(h)) {
                    n += fh.size();
                    te.getValue().forks.remove(fe.getKey());
                }
                dropped += n;
            }
        }
        entries.addAndGet(-dropped);
        return dropped;
    }

    /** Wakes waiters after a batch of {@link #apply} calls. */
    public void changed() {
        version.incrementAndGet();
        if (waiters.get() > 0) {
            lock.lock();
            try {
                changedCondition.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- reader side

    public boolean isLoaded() {
        return loaded;
    }

    /** True if any record of the timeline was seen. */
    public boolean knows(TimelineKey timeline) {
        return timelines.containsKey(timeline);
    }

    /** The LSN up to which the timeline's history is complete ({@link Lsn#ZERO} until every partition has a mark). */
    public Lsn completeLsn(TimelineKey timeline) {
        Timeline t = timelines.get(timeline);
        int n = partitions;
        if (t == null || n == 0) {
            return Lsn.ZERO;
        }
        long[] marks = t.watermarks;
        if (marks.length < n) {
            return Lsn.ZERO;
        }
        Lsn min = Lsn.of(marks[0]);
        for (int p = 1; p < n; p++) {
            Lsn m = Lsn.of(marks[p]);
            if (m.isBefore(min)) {
                min = m;
            }
        }
        return min;
    }

    /**
     * Blocks until {@link #completeLsn}(timeline) ≥ {@code needed} or {@code nanos} pass.
     *
     * @return the complete LSN then (below {@code needed} if the time ran out)
     */
    public Lsn awaitComplete(TimelineKey timeline, Lsn needed, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            long seen = version.get();
            Lsn complete = completeLsn(timeline);
            if (!complete.isBefore(needed)) {
                return complete;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return complete;
            }
            lock.lock();
            waiters.incrementAndGet();
            try {
                while (version.get() == seen && remaining > 0) {
                    remaining = changedCondition.awaitNanos(remaining);
                }
            } finally {
                waiters.decrementAndGet();
                lock.unlock();
            }
        }
    }

    /** The fork's state as of {@code lsn} from what is here (the caller waits for completeness first). */
    public Answer sizeAt(TimelineKey timeline, RelFork fork, Lsn lsn) {
        Timeline t = timelines.get(timeline);
        ForkHistory h = t == null ? null : t.forks.get(fork);
        if (h == null) {
            return new Answer.Size(false, 0);
        }
        long v = h.lookup(lsn.value());
        if (v == ForkHistory.BELOW_FLOOR) {
            return new Answer.BelowFloor(new Lsn(h.floor()));
        }
        return v == ForkHistory.ABSENT ? new Answer.Size(false, 0) : new Answer.Size(true, v);
    }

    /** Relation forks held (all timelines). */
    public long forks() {
        long n = 0;
        for (Timeline t : timelines.values()) {
            n += t.forks.size();
        }
        return n;
    }

    /** Size entries held (all forks). */
    public long entries() {
        return entries.get();
    }
}
