package io.storageengine.segments.read;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.pagecore.VersionList;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The catalog's ACTIVE segments as page-service reads them (DESIGN invariant 4).
 *
 * <p>{@link #refresh()} polls the catalog's change counter and, when it moved, builds a new
 * immutable {@link Snapshot} and swaps it in atomically (copy-on-write). A snapshot holds one
 * entry per segment; entries of segments present in both the old and the new snapshot are shared,
 * so their readers stay open. Readers live in a {@link ReaderCache} (bounded by the memory their
 * index and filter hold, possibly shared with other sets): opened on the first lookup that needs
 * them (for a {@code CatalogSegmentStore} that is when the file is downloaded) or, with
 * {@code preopen}, by {@code refresh()} before the new snapshot is published (off the read path);
 * a lookup holds its own reference to the reader while it reads. A lookup
 * {@link #acquire() acquires} the current snapshot (reference count) and releases it when done;
 * the cache's reader of a segment is dropped only when no snapshot holds it any more, and a read
 * holds its reader while it uses it, so a read that started before a compaction swap finishes on
 * the segments it started with. Deleting
 * retired files is the compactor's job, after a grace period (POSIX keeps open files readable);
 * since readers open lazily, that period must exceed the longest read (seconds at most).
 *
 * <p>{@link #versions} merges one page's versions across every segment that may hold it,
 * newest first, each LSN once, by page-core's chain rules (when a delta and an image segment both
 * hold a version at one LSN, the image wins). A segment that cannot be opened fails the lookup: a version is never
 * silently skipped. A lookup with a deadline ({@code System.nanoTime()} value) checks it before each
 * segment it reads and throws {@link LookupDeadlineException} once it has passed, so a slow disk
 * holds a read past its deadline by at most one segment read.
 *
 * <p>Timelines (GC horizons, last applied LSNs) are reloaded on every {@link #refresh()} and
 * answered from memory. Thread-safe; the caller schedules {@code refresh()} (e.g. every second).
 */
public final class SegmentSet implements AutoCloseable {
    /** Deadline value meaning "none". */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private final LongSupplier version;
    private final Supplier<List<CatalogSegment>> active;
    private final Supplier<List<TimelineInfo>> timelines;
    private final ReaderCache readers;
    private final boolean ownsReaders;
    private final int partitions;
    private final boolean preopen;
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private volatile Map<TimelineKey, TimelineInfo> timelineMap = Map.of();
    private volatile boolean closed;

    /**
     * @param partitions the {@code wal} topic's partition count, to consult only the segments of a
     *        page's partition; 0 to consult every segment whose key range covers the page
     */
    public SegmentSet(LongSupplier version, Supplier<List<CatalogSegment>> active, Supplier<List<TimelineInfo>> timelines,
                      SegmentStore store, int partitions) {
        this(version, active, timelines, new ReaderCache(store, ReaderCache.UNBOUNDED), true, partitions, false);
    }

    /**
     * @param readers the open readers, shared with other sets of the process and bounded by its
     *        budget; not closed by this set
     * @param preopen open the readers of segments new to a snapshot in {@link #refresh()}, before
     *        the snapshot is published, so no read pays for opening a file (footer, index and filter
     *        read and checksummed) right after a compaction swap, budget permitting; a segment that
     *        fails to open is left to fail the first lookup that needs it
     */
    public SegmentSet(LongSupplier version, Supplier<List<CatalogSegment>> active, Supplier<List<TimelineInfo>> timelines,
                      ReaderCache readers, int partitions, boolean preopen) {
        this(version, active, timelines, readers, false, partitions, preopen);
    }

    private SegmentSet(LongSupplier version, Supplier<List<CatalogSegment>> active, Supplier<List<TimelineInfo>> timelines,
                       ReaderCache readers, boolean ownsReaders, int partitions, boolean preopen) {
        this.version = version;
        this.active = active;
        this.timelines = timelines;
        this.readers = readers;
        this.ownsReaders = ownsReaders;
        this.partitions = partitions;
        this.preopen = preopen;
        this.current.set(new Snapshot(Long.MIN_VALUE, List.of(), partitions));
    }

    public static SegmentSet of(Catalog catalog, SegmentStore store, int partitions) {
        return new SegmentSet(catalog.segments()::version, catalog.segments()::active, catalog.timelines()::all, store, partitions);
    }

    /**
     * Reloads the segment map if the catalog's change counter moved, and the timelines.
     *
     * @return true if a new snapshot was swapped in
     * @throws io.storageengine.catalog.CatalogUnavailableException if the catalog cannot
     *         be reached; the previous snapshot stays in force
     */
    public boolean refresh() {
        long v = version.getAsLong();
        Snapshot old = current.get();
        List<CatalogSegment> segments = v == old.version ? null : active.get();
        // timelines (GC horizons) after the segment list, and published before the new snapshot: the
        // compactor publishes a horizon before it retires what it makes unreachable, so a reader
        // that sees a snapshot without those segments also sees a horizon at least as new
        Map<TimelineKey, TimelineInfo> tl = new HashMap<>();
        for (TimelineInfo t : timelines.get()) {
            tl.put(t.key(), t);
        }
        timelineMap = Map.copyOf(tl);
        if (segments == null) {
            return false;
        }
        Map<String, Entry> reuse = new HashMap<>();
        for (Entry e : old.entries) {
            reuse.put(e.segment.name(), e);
        }
        List<Entry> entries = new ArrayList<>(segments.size());
        for (CatalogSegment s : segments) {
            Entry e = reuse.get(s.name());
            if (e != null && e.retain()) {
                entries.add(e);
            } else {
                Entry fresh = new Entry(s, readers);
                if (preopen) {
                    fresh.tryOpen();
                }
                entries.add(fresh);
            }
        }
        Snapshot next = new Snapshot(v, entries, partitions);
        synchronized (this) {
            if (closed) {
                next.release();
                return false;
            }
            Snapshot prev = current.getAndSet(next);
            prev.release();
        }
        return true;
    }

    /** The current snapshot, retained: close it when the read is done. */
    public Snapshot acquire() {
        for (;;) {
            Snapshot s = current.get();
            if (s.tryRetain()) {
                return s;
            }
            if (closed) {
                throw new IllegalStateException("segment set is closed");
            }
        }
    }

    /** One page's versions with lsn ≤ maxLsn across the current snapshot; see {@link Snapshot#versions}. */
    public List<SegmentVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage) {
        return versions(pageKey, maxLsn, stopAtImage, NO_DEADLINE);
    }

    /**
     * As above, checking {@code deadlineNanos} ({@code System.nanoTime()} scale, {@link #NO_DEADLINE}
     * for none) before each segment it reads.
     *
     * @throws LookupDeadlineException once the deadline has passed
     */
    public List<SegmentVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage, long deadlineNanos) {
        try (Snapshot s = acquire()) {
            return s.versions(pageKey, maxLsn, stopAtImage, deadlineNanos);
        }
    }

    /** The timeline's GC horizon as of the last refresh; 0 if unknown. */
    public long gcHorizon(TimelineKey timeline) {
        TimelineInfo t = timelineMap.get(timeline);
        return t == null ? 0 : t.gcHorizonLsn();
    }

    /** The timeline as of the last refresh, or null. */
    public TimelineInfo timeline(TimelineKey timeline) {
        return timelineMap.get(timeline);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            current.get().release();
            if (ownsReaders) {
                readers.close();
            }
        }
    }

    /**
     * One segment in one or more snapshots: catalog row and count of snapshots holding it. Its
     * reader lives in the {@link ReaderCache}; when no snapshot holds the segment any more, the
     * cache's reader is dropped (lookups in flight keep their own reference).
     */
    static final class Entry {
        final CatalogSegment segment;
        final byte[] minPage;
        final byte[] maxPage;
        private final ReaderCache readers;
        private final AtomicInteger refs = new AtomicInteger(1);

        Entry(CatalogSegment segment, ReaderCache readers) {
            this.segment = segment;
            this.readers = readers;
            this.minPage = Arrays.copyOf(segment.meta().minKey(), 49);
            this.maxPage = Arrays.copyOf(segment.meta().maxKey(), 49);
        }

        boolean retain() {
            for (;;) {
                int r = refs.get();
                if (r <= 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                readers.drop(segment.meta().location());
            }
        }

        boolean covers(byte[] pageKey) {
            return Arrays.compareUnsigned(pageKey, 0, 49, minPage, 0, 49) >= 0
                    && Arrays.compareUnsigned(pageKey, 0, 49, maxPage, 0, 49) <= 0;
        }

        /** Opens the reader now if possible (and the budget keeps it); a failure is left for the first lookup. */
        void tryOpen() {
            try {
                readers.acquire(segment.meta().location()).release();
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                // the lookup that needs this segment opens it again and fails with the cause
            }
        }

        /**
         * The reader, with a reference for the caller (give it back with {@code release()}); only
         * called while a snapshot holding this entry is retained.
         */
        SegmentReader acquireReader() {
            if (refs.get() <= 0) {
                throw new IllegalStateException("segment " + segment.name() + " was released");
            }
            try {
                return readers.acquire(segment.meta().location());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open segment " + segment.name() + " from " + readers.store().name(), e);
            }
        }
    }

    /**
     * An immutable set of segments, reference counted: readers in it stay open while it is retained.
     * {@link #close()} releases the reference {@link SegmentSet#acquire()} gave: call it exactly once.
     */
    public static final class Snapshot implements AutoCloseable {
        private static final Comparator<Entry> NEWEST_FIRST =
                (a, b) -> Lsn.compare(b.segment.meta().maxLsn(), a.segment.meta().maxLsn());

        final long version;
        final List<Entry> entries;
        private final Map<Integer, List<Entry>> byPartition;
        private final List<Entry> newestFirst;
        private final int partitions;
        private final AtomicInteger refs = new AtomicInteger(1);

        Snapshot(long version, List<Entry> entries, int partitions) {
            this.version = version;
            this.entries = List.copyOf(entries);
            this.partitions = partitions;
            this.newestFirst = entries.stream().sorted(NEWEST_FIRST).toList();
            Map<Integer, List<Entry>> m = new HashMap<>();
            for (Entry e : newestFirst) {
                m.computeIfAbsent(e.segment.meta().partition(), k -> new ArrayList<>()).add(e);
            }
            this.byPartition = Map.copyOf(m);
        }

        /** The catalog change counter this snapshot reflects. */
        public long version() {
            return version;
        }

        public List<CatalogSegment> segments() {
            return entries.stream().map(e -> e.segment).toList();
        }

        /**
         * The page's versions with lsn ≤ {@code maxLsn} (unsigned) in this snapshot, newest first,
         * each LSN once, merged by the chain rules ({@link VersionChains#merge}: a segment visited
         * earlier, i.e. with a newer max LSN, wins, except that an image replaces another version at
         * its LSN). With {@code stopAtImage} the list ends at the newest chain start (an image or an
         * initializing record), and segments older than a chain start already found are not read.
         */
        public List<SegmentVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage) {
            return versions(pageKey, maxLsn, stopAtImage, NO_DEADLINE);
        }

        /**
         * As above, checking {@code deadlineNanos} before each segment it reads.
         *
         * @throws LookupDeadlineException once the deadline has passed (nothing partial is returned)
         */
        public List<SegmentVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage, long deadlineNanos) {
            List<Entry> candidates = partitions > 0
                    ? byPartition.getOrDefault(Partitioning.partitionOf(pageKey, partitions), List.of())
                    : newestFirst;
            List<List<SegmentVersion>> found = null;
            long newestStart = 0;
            boolean haveStart = false;
            for (Entry e : candidates) {
                if (haveStart && Lsn.isBefore(e.segment.meta().maxLsn(), newestStart)) {
                    break; // sorted by max LSN: nothing further is newer than the chain start already found
                }
                if (Lsn.isAfter(e.segment.meta().minLsn(), maxLsn) || !e.covers(pageKey)) {
                    continue;
                }
                if (deadlineNanos != NO_DEADLINE && System.nanoTime() - deadlineNanos > 0) {
                    throw new LookupDeadlineException("segment lookup ran past its deadline");
                }
                List<SegmentVersion> versions;
                SegmentReader r = e.acquireReader();
                try {
                    versions = stopAtImage ? r.versionsToImage(pageKey, maxLsn) : r.versions(pageKey, maxLsn);
                } finally {
                    r.release();
                }
                if (versions.isEmpty()) {
                    continue;
                }
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(versions);
                if (stopAtImage) {
                    long from = VersionChains.neededFrom(versions);
                    SegmentVersion last = versions.get(versions.size() - 1);
                    if (VersionChains.startsChain(last.value()) && (!haveStart || Lsn.isAfter(from, newestStart))) {
                        haveStart = true;
                        newestStart = from;
                    }
                }
            }
            if (found == null) {
                return List.of();
            }
            if (found.size() == 1) {
                return found.get(0); // one segment's list is already newest first, each LSN once, cut
            }
            VersionList[] inputs = new VersionList[found.size()];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = VersionList.of(found.get(i));
            }
            List<List<SegmentVersion>> lists = found;
            List<SegmentVersion> out = new ArrayList<>();
            VersionChains.merge(inputs, maxLsn, stopAtImage, (input, index) -> out.add(lists.get(input).get(index)));
            return out;
        }

        boolean tryRetain() {
            for (;;) {
                int r = refs.get();
                if (r <= 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                for (Entry e : entries) {
                    e.release();
                }
            }
        }

        @Override
        public void close() {
            release();
        }
    }
}
