package io.storageengine.pageservice.cold;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.read.ColdVersion;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.topology.trim.TrimCoverage;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.SegmentsMetrics;
import io.storageengine.segments.read.LookupDeadlineException;
import io.storageengine.segments.read.ReaderCache;
import io.storageengine.segments.read.SegmentSet;
import io.storageengine.segments.segment.BlockCache;
import io.storageengine.segments.segment.CorruptSegmentException;
import io.storageengine.segments.segment.SegmentFaults;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.store.CatalogSegmentStore;
import io.storageengine.segments.store.SegmentStore;
import io.storageengine.segments.store.SegmentStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog-backed cold tier of the read path ({@link ColdPageSource}) and the coverage the
 * hot-store trimmer relies on ({@link TrimCoverage}).
 *
 * <p>A background thread ({@link #start}) polls the catalog every {@code refreshInterval}: one
 * change-counter query ({@code segmentsVersion()}) plus the timelines; the segment list is
 * reloaded only when the counter moved. Two {@link SegmentSet}s are fed from that one poll: the
 * read set (every ACTIVE segment) and the settled set (only segments this instance first listed
 * at least {@code trim.settleDelay} ago, see {@link ColdTierSettings}). Each SegmentSet swaps its
 * snapshot atomically (copy-on-write) and keeps a segment's reader open while any read that
 * started on it runs (reference counts), so compaction and GC swaps never pull a file from under
 * a read (invariant 4). Both sets share one {@link ReaderCache}: open readers (their index and
 * filter on the heap) are bounded by {@code cold.reader-cache-mb}, least recently used first out.
 *
 * <p>Failures: before the first successful refresh, or when the last one started more than
 * {@code maxStaleness} ago (catalog unreachable), a read that needs the cold tier fails with
 * {@link PageReadException.Unavailable} (503); reads the hot store answers alone never call this
 * class. A corrupt segment (or one that cannot be opened) is counted
 * ({@code se.cold.read.failures{reason=corrupt|error}}), logged, and the read fails with 503: a
 * version is never silently skipped. A read-path lookup stops before its next segment read once the
 * read's deadline passed ({@link PageReadException.DeadlineExceeded}, 503 {@code deadline-exceeded}),
 * and is timed in {@code se.cold.lookup} (a slow disk shows there first). GC horizons and durable LSNs per timeline come from the last
 * successful refresh (memory only, as the read path requires); the trimmer gets the horizon as
 * observed at least the settle delay ago ({@link #settledGcHorizon}).
 *
 * <p>The catalog and the segment store are opened on the refresh thread, retried every interval
 * until the database answers, so the page service starts (and serves hot reads) without it.
 * Thread-safe: {@link #refresh()} is serialized; reads are lock-free.
 */
public final class SegmentColdPageSource implements ColdPageSource, TrimCoverage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentColdPageSource.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** The catalog queries this class needs (a fake in tests). */
    public interface CatalogView {
        long segmentsVersion();

        List<CatalogSegment> activeSegments();

        List<TimelineInfo> timelines();

        /** The catalog connection pools' health for {@code /health} (empty for fakes). */
        default java.util.Map<String, Object> health() {
            return java.util.Map.of();
        }

        static CatalogView of(Catalog catalog) {
            return new CatalogView() {
                @Override
                public java.util.Map<String, Object> health() {
                    return catalog.healthDetails();
                }

                @Override
                public long segmentsVersion() {
                    return catalog.segments().version();
                }

                @Override
                public List<CatalogSegment> activeSegments() {
                    return catalog.segments().active();
                }

                @Override
                public List<TimelineInfo> timelines() {
                    return catalog.timelines().all();
                }
            };
        }
    }

    /** An open connection to the cold tier: the catalog view, the segment store, and what to close. */
    public record Connection(CatalogView view, SegmentStore store, AutoCloseable resources) {
    }

    /** Opens a {@link Connection}; throws if the catalog cannot be reached (retried next interval). */
    @FunctionalInterface
    public interface Connector {
        Connection connect() throws IOException;
    }

    private final Connector connector;
    private final ColdTierSettings settings;
    private final LongSupplier nanoTime;
    private final Counter refreshFailures;
    private final Counter corrupt;
    private final Counter readErrors;
    private final Counter stale;
    private final Timer lookups;

    // written by the (serialized) refresh, read by readers
    private volatile Connection connection;
    private volatile SegmentSet readSet;
    private volatile SegmentSet settledSet;
    private volatile long lastSuccessNanos;
    private volatile boolean everRefreshed;
    private volatile int activeCount;
    private volatile int settledCount;

    // refresh state, guarded by this
    private final Map<String, Long> firstSeen = new HashMap<>();
    private long catalogVersion = Long.MIN_VALUE;
    private List<CatalogSegment> active = List.of();
    private List<CatalogSegment> settled = List.of();
    private long settledVersion;
    private List<TimelineInfo> timelines = List.of();
    /** Per timeline, (first seen at, horizon) whenever the horizon rose, pruned to the settle window. */
    private final Map<TimelineKey, java.util.ArrayDeque<long[]>> horizonHistory = new HashMap<>();
    private volatile Map<TimelineKey, Long> settledHorizons = Map.of();
    private volatile long coverageGeneration;
    private int partitions;
    private long consecutiveFailures;
    private volatile boolean closed;
    private volatile ScheduledExecutorService scheduler;
    private volatile ReaderCache readers;

    public SegmentColdPageSource(Connector connector, ColdTierSettings settings, MeterRegistry registry,
                                 LongSupplier nanoTime) {
        this.connector = connector;
        this.settings = settings;
        this.nanoTime = nanoTime;
        MeterRegistry r = registry == null ? new SimpleMeterRegistry() : registry;
        this.refreshFailures = Counter.builder("se.cold.refresh.failures")
                .description("segment map refreshes that failed (catalog unreachable)").register(r);
        this.corrupt = Counter.builder("se.cold.read.failures").tag("reason", "corrupt")
                .description("cold reads failed with 503").register(r);
        this.readErrors = Counter.builder("se.cold.read.failures").tag("reason", "error")
                .description("cold reads failed with 503").register(r);
        this.stale = Counter.builder("se.cold.read.failures").tag("reason", "stale")
                .description("cold reads failed with 503").register(r);
        this.lookups = Timer.builder("se.cold.lookup")
                .description("cold-tier lookups of the read path (segment reads of one page), failed ones included")
                .register(r);
        Gauge.builder("se.cold.segments", this, s -> s.activeCount).description("ACTIVE segments in the read set")
                .register(r);
        Gauge.builder("se.cold.segments.settled", this, s -> s.settledCount)
                .description("segments the hot-store trimmer may rely on").register(r);
        Gauge.builder("se.cold.readers.open", this, s -> s.readers == null ? 0 : s.readers.openReaders())
                .description("segment readers open (bounded by cold.reader-cache-mb)").register(r);
        Gauge.builder("se.cold.readers.metadata", this, s -> s.readers == null ? 0 : s.readers.metadataBytes())
                .baseUnit("bytes").description("heap held by open segment readers' index and filter").register(r);
        FunctionCounter.builder("se.cold.readers.opened", this, s -> s.readers == null ? 0 : s.readers.opens())
                .description("segment readers opened (cache misses)").register(r);
        FunctionCounter.builder("se.cold.readers.evicted", this, s -> s.readers == null ? 0 : s.readers.evictions())
                .description("segment readers closed to stay within cold.reader-cache-mb").register(r);
        Gauge.builder("se.cold.refresh.age", this, SegmentColdPageSource::refreshAgeSeconds).baseUnit("seconds")
                .description("time since the last successful segment map refresh started (-1: never)").register(r);
    }

    /**
     * The production source: a catalog from {@code settings.catalog()}, the directory or catalog
     * segment store, a shared block cache; segments metrics are bound once connected. Not started.
     */
    public static SegmentColdPageSource create(ColdTierSettings settings, MeterRegistry registry) {
        return create(settings, registry, SegmentFaults.NONE);
    }

    /**
     * As {@link #create(ColdTierSettings, MeterRegistry)}, with the segment store's fault-injection
     * hooks (the {@code segment-read} failpoint of drills and tests).
     */
    public static SegmentColdPageSource create(ColdTierSettings settings, MeterRegistry registry, SegmentFaults faults) {
        Connector connector = () -> {
            Catalog catalog = Catalog.open(settings.catalog());
            try {
                BlockCache cache = settings.blockCacheBytes() > 0 ? new BlockCache(settings.blockCacheBytes()) : null;
                SegmentStores.Kind kind = switch (settings.store()) {
                    case DIRECTORY -> SegmentStores.Kind.DIRECTORY;
                    case CATALOG -> SegmentStores.Kind.CATALOG;
                };
                SegmentStore store = SegmentStores.open(
                        new SegmentStores.Config(kind, settings.segmentDir(), settings.storeCacheBytes(), cache, faults), catalog);
                if (registry != null) {
                    catalog.bindTo(registry); // se.catalog.pool.*, removed when this catalog closes
                    new SegmentsMetrics(catalog, cache, store instanceof CatalogSegmentStore cs ? cs : null).bindTo(registry);
                }
                SegmentStore s = store;
                return new Connection(CatalogView.of(catalog), store, () -> {
                    try {
                        s.close();
                    } finally {
                        catalog.close();
                    }
                });
            } catch (IOException | RuntimeException e) {
                catalog.close();
                throw e;
            }
        };
        return new SegmentColdPageSource(connector, settings, registry, System::nanoTime);
    }

    /**
     * Starts the background refresh. {@code walPartitions}: the WAL topic's partition count, so a
     * lookup consults only the segments of the page's partition (0: every segment covering the page).
     */
    public synchronized SegmentColdPageSource start(int walPartitions) {
        if (scheduler != null || closed) {
            throw new IllegalStateException("already started or closed");
        }
        this.partitions = Math.max(0, walPartitions);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cold-tier-refresh");
            t.setDaemon(true);
            return t;
        });
        long every = settings.refreshInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
        LOG.info("Cold tier: {} store at {}, catalog {}, refresh every {} ms, trimming {}", settings.store(),
                settings.segmentDir(), settings.catalog(), every, settings.trim().enabled() ? "on" : "off");
        return this;
    }

    /** Sets the partition count before the first refresh (tests that call {@link #refresh()} directly). */
    public synchronized SegmentColdPageSource partitions(int walPartitions) {
        if (readSet != null) {
            throw new IllegalStateException("partitions must be set before the first refresh");
        }
        this.partitions = Math.max(0, walPartitions);
        return this;
    }

    /**
     * One poll of the catalog (connecting first if needed). Never throws: a failure is counted and
     * logged, and the previous snapshots stay in force until {@code maxStaleness} runs out.
     *
     * @return true if the poll succeeded
     */
    public synchronized boolean refresh() {
        if (closed) {
            return false;
        }
        long start = nanoTime.getAsLong();
        try {
            if (connection == null) {
                Connection c = connector.connect();
                if (closed) {
                    c.resources().close();
                    return false;
                }
                // both sets share one bounded cache of open readers; the read set opens new segments on
                // this thread before publishing them (no read pays for an open right after a swap), the
                // settled set (the trimmer's) opens them lazily
                ReaderCache rc = new ReaderCache(c.store(), settings.readerCacheBytes());
                readSet = new SegmentSet(() -> catalogVersion, () -> active, () -> timelines, rc, partitions,
                        settings.store() == ColdTierSettings.StoreKind.DIRECTORY);
                settledSet = new SegmentSet(() -> settledVersion, () -> settled, () -> timelines, rc, partitions, false);
                readers = rc;
                connection = c;
                LOG.info("Cold tier connected ({} store)", c.store().name());
            }
            CatalogView view = connection.view();
            long v = view.segmentsVersion();
            if (v != catalogVersion) {
                List<CatalogSegment> list = view.activeSegments();
                Set<String> names = new HashSet<>();
                for (CatalogSegment s : list) {
                    names.add(s.name());
                    firstSeen.putIfAbsent(s.name(), start);
                }
                firstSeen.keySet().retainAll(names);
                active = List.copyOf(list);
                catalogVersion = v;
            }
            // timelines (GC horizons) after the segment list: the compactor publishes a horizon before
            // it retires what the horizon makes unreachable, so a list without those segments comes
            // with a horizon at least as new (read the other way round, a read between the old and the
            // new horizon could meet the reduced list and answer 404 or a wrong page instead of 410)
            List<TimelineInfo> tl = view.timelines();
            List<CatalogSegment> nowSettled = new ArrayList<>();
            long settleNanos = settings.trim().settleDelay().toNanos();
            for (CatalogSegment s : active) {
                if (start - firstSeen.get(s.name()) >= settleNanos) {
                    nowSettled.add(s);
                }
            }
            if (!names(nowSettled).equals(names(settled))) {
                settled = List.copyOf(nowSettled);
                settledVersion++;
                coverageGeneration++;
            }
            timelines = List.copyOf(tl);
            settleHorizons(tl, start, settleNanos);
            readSet.refresh();
            settledSet.refresh();
            activeCount = active.size();
            settledCount = settled.size();
            lastSuccessNanos = start;
            everRefreshed = true;
            if (consecutiveFailures > 0) {
                LOG.info("Cold tier catalog reachable again after {} failed refreshes", consecutiveFailures);
            }
            consecutiveFailures = 0;
            return true;
        } catch (Exception e) {
            refreshFailures.increment();
            consecutiveFailures++;
            if (consecutiveFailures == 1 || consecutiveFailures % 60 == 0) {
                LOG.warn("Cold tier refresh failed ({} in a row; cold reads fail once the map is older than {}): {}",
                        consecutiveFailures, settings.maxStaleness(), e.toString());
            }
            return false;
        }
    }

    private void settleHorizons(List<TimelineInfo> tl, long start, long settleNanos) {
        Map<TimelineKey, Long> settledNow = new HashMap<>();
        for (TimelineInfo t : tl) {
            java.util.ArrayDeque<long[]> h = horizonHistory.computeIfAbsent(t.key(), k -> new java.util.ArrayDeque<>());
            if (h.isEmpty() || Lsn.isAfter(t.gcHorizonLsn(), h.peekLast()[1])) {
                h.addLast(new long[] {start, t.gcHorizonLsn()});
            }
            while (h.size() > 1) {
                java.util.Iterator<long[]> it = h.iterator();
                it.next();
                if (start - it.next()[0] < settleNanos) {
                    break;
                }
                h.removeFirst(); // the next entry is settled too: the older one is no longer needed
            }
            long[] first = h.peekFirst();
            if (start - first[0] >= settleNanos && first[1] != 0) {
                settledNow.put(t.key(), first[1]);
            }
        }
        if (!settledNow.equals(settledHorizons)) {
            settledHorizons = Map.copyOf(settledNow);
            coverageGeneration++;
        }
    }

    @Override
    public long generation() {
        return coverageGeneration;
    }

    @Override
    public long settledGcHorizon(TimelineKey timeline) {
        return settledHorizons.getOrDefault(timeline, 0L);
    }

    private static Set<String> names(List<CatalogSegment> segments) {
        Set<String> out = new HashSet<>();
        for (CatalogSegment s : segments) {
            out.add(s.name());
        }
        return out;
    }

    private double refreshAgeSeconds() {
        return everRefreshed ? (nanoTime.getAsLong() - lastSuccessNanos) / 1e9 : -1;
    }

    private SegmentSet fresh(SegmentSet set) throws PageReadException.Unavailable {
        long age = nanoTime.getAsLong() - lastSuccessNanos;
        if (!everRefreshed || set == null) {
            stale.increment();
            throw new PageReadException.Unavailable("the cold tier's segment map is not loaded yet (catalog "
                    + "not reached)", RETRY_AFTER);
        }
        if (age > settings.maxStaleness().toNanos()) {
            stale.increment();
            throw new PageReadException.Unavailable("the cold tier's segment map is " + (age / 1_000_000)
                    + " ms old (catalog unreachable; limit " + settings.maxStaleness().toMillis() + " ms)", RETRY_AFTER);
        }
        return set;
    }

    @Override
    public List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage) throws PageReadException {
        return versions(pageKey, maxLsn, stopAtImage, SegmentSet.NO_DEADLINE);
    }

    @Override
    public List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage, long deadlineNanos)
            throws PageReadException {
        SegmentSet set = fresh(readSet);
        long t0 = System.nanoTime();
        try {
            return lookup(set, pageKey, maxLsn, stopAtImage, deadlineNanos);
        } finally {
            lookups.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public List<ColdVersion> coveredVersions(byte[] pageKey, long maxLsn) throws PageReadException {
        return lookup(fresh(settledSet), pageKey, maxLsn, true, SegmentSet.NO_DEADLINE);
    }

    private List<ColdVersion> lookup(SegmentSet set, byte[] pageKey, long maxLsn, boolean stopAtImage, long deadlineNanos)
            throws PageReadException.Unavailable, PageReadException.DeadlineExceeded {
        List<SegmentVersion> found;
        try {
            found = set.versions(pageKey, maxLsn, stopAtImage, deadlineNanos);
        } catch (LookupDeadlineException e) {
            throw new PageReadException.DeadlineExceeded("page reconstruction ran past its deadline while reading "
                    + "segments (slow segment reads?)");
        } catch (CorruptSegmentException e) {
            corrupt.increment();
            LOG.error("Corrupt segment {} at offset {}: reads that need it fail with 503 until it is replaced: {}",
                    e.file(), e.offset(), e.getMessage());
            throw new PageReadException.Unavailable("a segment holding this page is corrupt (" + e.file().getFileName()
                    + ")", RETRY_AFTER);
        } catch (UncheckedIOException | IllegalStateException | io.storageengine.catalog.CatalogException e) {
            readErrors.increment();
            LOG.warn("Cold tier lookup failed: {}", e.toString());
            throw new PageReadException.Unavailable("the cold tier cannot be read now: " + e.getMessage(), RETRY_AFTER);
        }
        if (found.isEmpty()) {
            return List.of();
        }
        List<ColdVersion> out = new ArrayList<>(found.size());
        for (SegmentVersion v : found) {
            out.add(new ColdVersion(v.lsn(), v.value()));
        }
        return out;
    }

    @Override
    public Lsn gcHorizon(TimelineKey timeline) {
        SegmentSet s = readSet;
        return s == null ? Lsn.ZERO : new Lsn(s.gcHorizon(timeline));
    }

    @Override
    public Lsn durableLsn(TimelineKey timeline) {
        SegmentSet s = readSet;
        TimelineInfo t = s == null ? null : s.timeline(timeline);
        return t == null || t.lastAppliedLsn() < 0 ? Lsn.ZERO : new Lsn(t.lastAppliedLsn());
    }

    /** True once a refresh succeeded and the map is within {@code maxStaleness}. */
    public boolean isFresh() {
        return everRefreshed && nanoTime.getAsLong() - lastSuccessNanos <= settings.maxStaleness().toNanos();
    }

    public ColdTierSettings settings() {
        return settings;
    }

    /** The catalog pools' health for {@code /health}, or null before the catalog was first reached. */
    public java.util.Map<String, Object> catalogHealth() {
        Connection c = connection;
        return c == null ? null : c.view().health();
    }

    /**
     * Stops the refresh and closes the sets and the catalog. Does not wait for a refresh stuck in
     * catalog retries (it holds the refresh lock for up to the retry budget): closing the pool
     * makes it fail at once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SegmentSet r = readSet;
        SegmentSet t = settledSet;
        if (r != null) {
            r.close();
            t.close();
        }
        ReaderCache rc = readers;
        if (rc != null) {
            rc.close();
        }
        Connection c = connection;
        if (c != null) {
            try {
                c.resources().close();
            } catch (Exception e) {
                LOG.warn("Closing the cold tier: {}", e.toString());
            }
        }
    }
}
