package io.storageengine.pageservice.read;

import io.storageengine.pagecore.PageApplyException;
import io.storageengine.pageservice.read.PageReadException.BelowGcHorizon;
import io.storageengine.pageservice.read.PageReadException.DeadlineExceeded;
import io.storageengine.pageservice.read.PageReadException.PageNotFound;
import io.storageengine.pageservice.read.PageReadException.TimelineNotFound;
import io.storageengine.pageservice.read.PageReadException.Unavailable;
import io.storageengine.pageservice.read.PageReadException.WalWaitTimeout;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.WatermarkRegistry;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * GetPage@LSN over the local hot store, continuing into the cold tier ({@code spec/wal-format.md},
 * "Ordering and meaning"; {@code spec/page-api.md}).
 *
 * <ol>
 *   <li>Find the page's partition (Kafka's default partitioner on the 49-byte key); it must be
 *       served here (active, or a standby) or the read is {@link Unavailable}.</li>
 *   <li>Wait until the partition's watermark for the timeline reaches L (or
 *       {@code not_modified_since}), blocking on the {@link WatermarkRegistry} (no polling), up to
 *       the wait timeout → {@link WalWaitTimeout} with the last applied LSN. An omitted L is the
 *       partition's newest watermark (the first one is awaited if none has arrived yet). A
 *       timeline that no partition served here has ever seen → {@link TimelineNotFound}.</li>
 *   <li>L below the cold tier's GC horizon → {@link BelowGcHorizon}; checked again after a cold
 *       lookup, which may have met a segment map that relies on a newer horizon.</li>
 *   <li>Reverse-scan VersionKey(P, 0)..VersionKey(P, L) down to the newest chain start (an image
 *       or an initializing record); with none, continue into {@link ColdPageSource} (merged by
 *       page-core's chain rules); apply the chain oldest first with page-core's
 *       {@link io.storageengine.pagecore.PageReplay}. No record ≤ L → {@link PageNotFound}. A
 *       record the engine cannot replay → {@link PageReadException.RedoUnsupported} (501), one that
 *       does not fit the page → {@link PageReadException.RedoFailed} (500).</li>
 * </ol>
 *
 * <p>With a {@link NewestPageCache}, step 4 first asks the cache (active partitions only), and a
 * page reconstructed as its newest state is offered to it: from a hot chain with no newer hot
 * version, or, for a page the hot store holds no version of (trimmed into segments), when its
 * cold lookup, made from the newest LSN, finds no version after the read's LSN (otherwise the
 * chain at L is looked up as usual).
 *
 * <p>{@link PageRequest#deadlineNanos()} bounds reconstruction: the time spent waiting for WAL is
 * added to it, so the deadline budgets the work, not the WAL wait; {@link Long#MAX_VALUE} means no
 * deadline. Checked by the code (no timer task) → {@link DeadlineExceeded}: during the hot scan,
 * by the cold tier before each segment file it reads (so a slow disk holds a read past its deadline
 * by at most one segment read), and after the cold lookup. A read that missed its deadline never
 * answers a page.
 *
 * <p>Thread-safe and lock-free on the hot path (a lock is taken only to sleep while waiting for
 * WAL). Per read it allocates the page key, two range bounds, the scan and the page.
 */
public final class StorePageReader implements PageReader {
    /** {@link PageRequest#deadlineNanos()} value meaning "no deadline". */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final VersionStoreAccess stores;
    private final WatermarkRegistry registry;
    private final ColdPageSource cold;
    private final long waitTimeoutNanos;
    /** Null: no cache. */
    private final NewestPageCache cache;

    public StorePageReader(VersionStoreAccess stores, WatermarkRegistry registry, ColdPageSource cold,
            Duration waitTimeout) {
        this(stores, registry, cold, waitTimeout, null);
    }

    /** As above, with a cache of newest pages ({@code null}: none) fed by the registry's page changes. */
    public StorePageReader(VersionStoreAccess stores, WatermarkRegistry registry, ColdPageSource cold,
            Duration waitTimeout, NewestPageCache cache) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.cold = Objects.requireNonNull(cold, "cold");
        if (waitTimeout.isNegative()) {
            throw new IllegalArgumentException("negative wait timeout " + waitTimeout);
        }
        this.waitTimeoutNanos = waitTimeout.toNanos();
        this.cache = cache;
    }

    @Override
    public PageVersion read(PageRequest request) throws PageReadException {
        TimelineKey timeline = request.timeline();
        byte[] pageKey = pageKeyBytes(request);
        int partition = Partitioning.partitionOf(pageKey, stores.partitionCount());
        PartitionMarks marks = served(partition);

        long waitStart = System.nanoTime();
        Lsn lsn = request.lsn();
        long readLsn;
        if (lsn != null) {
            Lsn needed = request.notModifiedSince() != null ? request.notModifiedSince() : lsn;
            awaitWatermark(marks, timeline, needed.value(), waitStart);
            readLsn = lsn.value();
        } else {
            readLsn = awaitWatermark(marks, timeline, 1, waitStart);
        }
        long deadline = shiftDeadline(request.deadlineNanos(), System.nanoTime() - waitStart);

        checkHorizon(timeline, readLsn);

        NewestPageCache.Ticket ticket = null;
        if (cache != null && marks.role() == PartitionMarks.Role.ACTIVE) {
            PageVersion hit = cache.get(pageKey, marks, readLsn);
            if (hit != null) {
                return hit;
            }
            ticket = cache.ticket(pageKey, marks);
        }
        HotScan hot = scanHot(stores.versions(partition, marks.role()), pageKey, readLsn, deadline, ticket != null);
        VersionChain chain = hot.chain();
        // the page's newest state: no version after L in the hot store, and at least one hot version
        // (trimming keeps a suffix of each page's history hot, so every trimmed version is older)
        boolean cacheable = hot.newest() && chain.size() > 0;
        if (!chain.complete()) {
            List<ColdVersion> older = null;
            if (ticket != null && hot.newest() && chain.size() == 0) {
                // every version of the page is in the cold tier only (trimmed): look up from its
                // newest version; with nothing after L that is also the chain at L, and the page's
                // newest state (see coldNewestState)
                List<ColdVersion> newest = cold.versions(pageKey, Lsn.MAX.value(), true, deadline);
                if (coldNewestState(newest, readLsn)) {
                    older = newest;
                    cacheable = true;
                }
            }
            if (older == null) {
                older = cold.versions(pageKey, readLsn, true, deadline);
            }
            // again after the lookup: the cold tier publishes a new horizon before the segment map
            // that relies on it, so a lookup that met retired segments sees the horizon that retired them
            checkHorizon(timeline, readLsn);
            if (!older.isEmpty()) {
                chain = chain.mergeCold(older, readLsn);
            }
            checkDeadline(deadline);
        }
        if (chain.size() == 0) {
            throw new PageNotFound("page " + request.page() + " of timeline " + timeline
                    + " has no record at or before LSN " + Lsn.format(readLsn));
        }
        byte[] page;
        try {
            page = chain.reconstruct(request.page());
        } catch (PageApplyException e) {
            throw PageReadException.of(e, timeline);
        }
        if (cacheable) {
            cache.fill(pageKey, marks, ticket, page, chain.newestLsn());
        }
        return new PageVersion(page, new Lsn(chain.newestLsn()), new Lsn(readLsn));
    }

    /**
     * Whether {@code fromNewest}, the cold chain of a page the hot store holds no version of
     * (looked up after the hot scan, from the newest LSN), has no version after {@code readLsn}:
     * the page at {@code readLsn} is then its newest state. A version stored after the cache ticket
     * was taken refuses the fill; one stored before it and trimmed since is in the settled
     * segments, which the read set lists too, so the lookup saw it.
     */
    private static boolean coldNewestState(List<ColdVersion> fromNewest, long readLsn) {
        for (ColdVersion v : fromNewest) {
            if (Lsn.isAfter(v.lsn(), readLsn)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] pageKeyBytes(PageRequest request) {
        ByteBuffer b = ByteBuffer.allocate(PageKey.SIZE);
        request.timeline().write(b);
        request.page().write(b);
        return b.array();
    }

    private PartitionMarks served(int partition) throws Unavailable {
        PartitionMarks marks = registry.partition(partition);
        if (marks == null || marks.role() == null) {
            throw new Unavailable("partition " + partition + " is not served by this instance now", RETRY_AFTER);
        }
        return marks;
    }

    /** Blocks until the timeline's mark on the partition is ≥ {@code needed}; returns the mark. */
    private long awaitWatermark(PartitionMarks marks, TimelineKey timeline, long needed, long waitStart)
            throws PageReadException {
        PartitionMarks.Mark mark = marks.mark(timeline);
        if (mark != null && !Lsn.isBefore(mark.lsn(), needed) && marks.role() == PartitionMarks.Role.ACTIVE) {
            return mark.lsn(); // fast path
        }
        if (marks.role() == PartitionMarks.Role.STANDBY) {
            refreshStandby(marks, timeline);
            mark = marks.mark(timeline);
        }
        if (mark == null && !registry.knows(timeline)) {
            throw new TimelineNotFound("timeline " + timeline + " is unknown here (no record of it on any partition "
                    + "this instance serves)");
        }
        long deadline = waitStart + waitTimeoutNanos;
        while (true) {
            long version = marks.version();
            PartitionMarks.Role role = marks.role();
            if (role == null) {
                throw new Unavailable("partition " + marks.partitionId() + " moved away while waiting for WAL",
                        RETRY_AFTER);
            }
            if (role == PartitionMarks.Role.STANDBY) {
                refreshStandby(marks, timeline);
            }
            mark = marks.mark(timeline);
            if (mark != null && !Lsn.isBefore(mark.lsn(), needed)) {
                return mark.lsn();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                Lsn last = new Lsn(mark == null ? 0 : mark.lsn());
                throw new WalWaitTimeout("WAL up to LSN " + Lsn.format(needed) + " of timeline " + timeline
                        + " did not arrive on partition " + marks.partitionId() + " within "
                        + Duration.ofNanos(waitTimeoutNanos).toMillis() + " ms (last applied " + last + ")", last);
            }
            try {
                marks.awaitChange(version, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable("interrupted while waiting for WAL", RETRY_AFTER);
            }
        }
    }

    private void refreshStandby(PartitionMarks marks, TimelineKey timeline) throws Unavailable {
        Long lsn = stores.standbyWatermark(marks.partitionId(), timeline);
        if (lsn != null) {
            registry.standby(marks.partitionId(), java.util.Map.of(timeline, lsn));
        }
    }

    private void checkHorizon(TimelineKey timeline, long readLsn) throws BelowGcHorizon {
        Lsn horizon = cold.gcHorizon(timeline);
        if (Lsn.isBefore(readLsn, horizon.value())) {
            throw new BelowGcHorizon("LSN " + Lsn.format(readLsn) + " is older than the GC horizon " + horizon
                    + " of timeline " + timeline, horizon);
        }
    }

    /** The chain found in the hot store; {@code newest}: the scan saw no version after the read's LSN at all. */
    private record HotScan(VersionChain chain, boolean newest) {
    }

    /**
     * Reverse-scans the page's versions ≤ {@code readLsn} down to a chain start. With
     * {@code toNewest} the scan starts at the page's newest version instead, skipping versions
     * after {@code readLsn} (stored, not yet covered by the watermark) and telling whether there
     * were any: a cache may keep only a page that is the newest state.
     */
    private static HotScan scanHot(ReadOnlyKeyValueStore<byte[], byte[]> store, byte[] pageKey, long readLsn,
            long deadline, boolean toNewest) throws PageReadException {
        VersionChain chain = new VersionChain();
        boolean newer = false;
        checkDeadline(deadline);
        try (KeyValueIterator<byte[], byte[]> it = store.reverseRange(VersionKey.encode(pageKey, 0L),
                VersionKey.encode(pageKey, toNewest ? -1L : readLsn))) {
            while (it.hasNext()) {
                KeyValue<byte[], byte[]> kv = it.next();
                long lsn = VersionKey.lsnOf(kv.key);
                if (Lsn.isAfter(lsn, readLsn)) {
                    newer = true;
                    continue;
                }
                if (chain.addOlder(lsn, kv.value)) {
                    break;
                }
                checkDeadline(deadline);
            }
        } catch (InvalidStateStoreException e) {
            throw new Unavailable("the store of the page's partition cannot be read now: " + e.getMessage(),
                    RETRY_AFTER);
        }
        return new HotScan(chain, toNewest && !newer);
    }

    private static long shiftDeadline(long deadline, long waitedNanos) {
        if (deadline == NO_DEADLINE) {
            return NO_DEADLINE;
        }
        long shifted = deadline + waitedNanos;
        return shifted == NO_DEADLINE ? NO_DEADLINE - 1 : shifted;
    }

    private static void checkDeadline(long deadline) throws DeadlineExceeded {
        if (deadline != NO_DEADLINE && System.nanoTime() - deadline > 0) {
            throw new DeadlineExceeded("page reconstruction ran past its deadline");
        }
    }

    @Override
    public TimelineStatus status(TimelineKey timeline) throws PageReadException {
        int[] served = registry.activePartitions();
        if (served.length == 0) {
            served = registry.standbyPartitions();
        }
        if (served.length == 0) {
            throw new Unavailable("this instance serves no partition now", RETRY_AFTER);
        }
        boolean seen = false;
        long min = -1L; // unsigned max
        for (int p : served) {
            PartitionMarks marks = registry.partition(p);
            PartitionMarks.Mark mark = marks == null ? null : marks.mark(timeline);
            long applied = mark == null ? 0 : mark.lsn();
            seen |= mark != null;
            if (Lsn.isBefore(applied, min)) {
                min = applied;
            }
        }
        if (!seen) {
            throw new TimelineNotFound("timeline " + timeline + " is unknown here");
        }
        return new TimelineStatus(timeline, new Lsn(min), cold.durableLsn(timeline), cold.gcHorizon(timeline));
    }
}
