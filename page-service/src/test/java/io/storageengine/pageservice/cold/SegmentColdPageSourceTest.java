package io.storageengine.pageservice.cold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.CatalogUnavailableException;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.pageservice.read.ColdVersion;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.trim.TrimSettings;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.store.DirectorySegmentStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog-backed cold source over real segment files and an in-memory segment list, on a fake clock. */
class SegmentColdPageSourceTest {
    static final TimelineKey T = TimelineKey.of("11111111111111111111111111111111", "22222222222222222222222222222222");

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FakeCatalog catalog = new FakeCatalog();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DirectorySegmentStore store;
    private SegmentColdPageSource source;
    private SyntheticWal wal;
    private NavigableMap<byte[], byte[]> all;

    /** A mutable segment list with a change counter; can be made unreachable. */
    static class FakeCatalog implements SegmentColdPageSource.CatalogView {
        volatile List<CatalogSegment> segments = List.of();
        volatile List<TimelineInfo> timelines = List.of();
        final AtomicLong version = new AtomicLong();
        final AtomicInteger listCalls = new AtomicInteger();
        volatile boolean down;

        void set(List<CatalogSegment> s) {
            segments = List.copyOf(s);
            version.incrementAndGet();
        }

        private void check() {
            if (down) {
                throw new CatalogUnavailableException("catalog down (test)", null);
            }
        }

        @Override
        public long segmentsVersion() {
            check();
            return version.get();
        }

        @Override
        public List<CatalogSegment> activeSegments() {
            check();
            listCalls.incrementAndGet();
            return segments;
        }

        @Override
        public List<TimelineInfo> timelines() {
            check();
            return timelines;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        store = new DirectorySegmentStore(dir.resolve("segments"));
        ColdTierSettings settings = ColdTierSettings.of(CatalogConfig.of("jdbc:unused", "u", "p"), dir)
                .withRefresh(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .withTrim(new TrimSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(1), 100,
                        Duration.ofMillis(20)));
        source = new SegmentColdPageSource(() -> new SegmentColdPageSource.Connection(catalog, store, () -> { }),
                settings, registry, now::get);
        wal = new SyntheticWal(3, 1000);
        wal.randomRun(T, 20, 600, 0.1, 50);
        all = ColdTestData.versionsOf(wal.events(), 0, 0);
    }

    @AfterEach
    void tearDown() {
        source.close();
    }

    /** Splits the versions into segments by LSN ranges [from, to). */
    private SegmentMeta segment(long fromLsn, long toLsn, int level) throws IOException {
        NavigableMap<byte[], byte[]> part = ColdTestData.sortedVersions();
        all.forEach((k, v) -> {
            long l = VersionKey.lsnOf(k);
            if (l >= fromLsn && l < toLsn) {
                part.put(k, v);
            }
        });
        return ColdTestData.writeSegment(store, SegmentKind.DELTA, level, 0, part, -1, -1);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private List<Long> lsns(List<ColdVersion> v) {
        return v.stream().map(ColdVersion::lsn).toList();
    }

    @Test
    void readsEveryPageAcrossSegmentsNewestFirstLikeTheVersionsThemselves() throws Exception {
        long mid = wal.lsn() / 2 + 500;
        catalog.set(List.of(ColdTestData.active(segment(0, mid, 0)), ColdTestData.active(segment(mid, Long.MAX_VALUE, 0))));
        assertThat(source.refresh()).isTrue();
        for (PageKey p : wal.model().pageKeys()) {
            byte[] pk = p.toBytes();
            for (long lsn : new long[] {mid - 1, mid, wal.lsn(), 999}) {
                List<ColdVersion> want = ColdTestData.lookup(all, pk, lsn, true);
                List<ColdVersion> got = source.versions(pk, lsn, true);
                assertThat(lsns(got)).isEqualTo(lsns(want));
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i).stored()).isEqualTo(want.get(i).stored());
                }
                assertThat(lsns(source.versions(pk, lsn, false))).isEqualTo(lsns(ColdTestData.lookup(all, pk, lsn, false)));
            }
        }
    }

    @Test
    void aCompactionSwapIsSeenAfterTheNextRefreshAndReadsStayTheSame() throws Exception {
        SegmentMeta a = segment(0, 10_000, 0);
        SegmentMeta b = segment(10_000, Long.MAX_VALUE, 0);
        catalog.set(List.of(ColdTestData.active(a), ColdTestData.active(b)));
        source.refresh();
        PageKey p = wal.model().pageKeys().get(0);
        List<Long> before = lsns(source.versions(p.toBytes(), wal.lsn(), false));
        catalog.set(List.of(ColdTestData.active(segment(0, Long.MAX_VALUE, 1))));
        store.delete(a.name());
        store.delete(b.name());
        assertThat(source.refresh()).isTrue();
        assertThat(lsns(source.versions(p.toBytes(), wal.lsn(), false))).isEqualTo(before).isNotEmpty();
        assertThat(registry.get("se.cold.segments").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void pollsTheChangeCounterAndListsSegmentsOnlyWhenItMoves() throws Exception {
        catalog.set(List.of(ColdTestData.active(segment(0, Long.MAX_VALUE, 0))));
        source.refresh();
        source.refresh();
        source.refresh();
        assertThat(catalog.listCalls).hasValue(1);
        catalog.set(catalog.segments);
        source.refresh();
        assertThat(catalog.listCalls).hasValue(2);
    }

    @Test
    void coldReadsAreUnavailableUntilLoadedAndOnceTheMapIsStaleButServedInBetween() throws Exception {
        byte[] pk = wal.model().pageKeys().get(0).toBytes();
        assertThatThrownBy(() -> source.versions(pk, wal.lsn(), true)).isInstanceOf(PageReadException.Unavailable.class)
                .hasMessageContaining("not loaded");
        catalog.set(List.of(ColdTestData.active(segment(0, Long.MAX_VALUE, 0))));
        source.refresh();
        catalog.down = true;
        advance(Duration.ofSeconds(5));
        assertThat(source.refresh()).isFalse();
        assertThat(source.versions(pk, wal.lsn(), true)).isNotEmpty(); // within max staleness: the last map
        advance(Duration.ofSeconds(6));
        assertThatThrownBy(() -> source.versions(pk, wal.lsn(), true)).isInstanceOf(PageReadException.Unavailable.class)
                .hasMessageContaining("old");
        assertThatThrownBy(() -> source.coveredVersions(pk, wal.lsn())).isInstanceOf(PageReadException.Unavailable.class);
        assertThat(registry.get("se.cold.refresh.failures").counter().count()).isEqualTo(1.0);
        catalog.down = false;
        assertThat(source.refresh()).isTrue();
        assertThat(source.versions(pk, wal.lsn(), true)).isNotEmpty();
    }

    @Test
    void aCatalogThatCannotBeReachedAtStartIsRetriedOnLaterRefreshes() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        ColdTierSettings settings = ColdTierSettings.of(CatalogConfig.of("jdbc:unused", "u", "p"), dir);
        try (SegmentColdPageSource s = new SegmentColdPageSource(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new CatalogUnavailableException("no database yet (test)", null);
            }
            return new SegmentColdPageSource.Connection(catalog, store, () -> { });
        }, settings, null, now::get)) {
            assertThat(s.refresh()).isFalse();
            assertThat(s.refresh()).isFalse();
            assertThat(s.isFresh()).isFalse();
            assertThat(s.refresh()).isTrue();
            assertThat(s.isFresh()).isTrue();
        }
    }

    @Test
    void aCorruptSegmentIsCountedAndFailsTheReadInsteadOfBeingSkipped() throws Exception {
        SegmentMeta m = segment(0, Long.MAX_VALUE, 0);
        catalog.set(List.of(ColdTestData.active(m)));
        source.refresh();
        try (RandomAccessFile f = new RandomAccessFile(store.path(m.name()).toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0xFF); // inside the first data block
        }
        byte[] first = all.firstKey();
        byte[] pk = java.util.Arrays.copyOf(first, PageKey.SIZE);
        assertThatThrownBy(() -> source.versions(pk, wal.lsn(), true)).isInstanceOf(PageReadException.Unavailable.class)
                .hasMessageContaining("corrupt");
        assertThat(registry.get("se.cold.read.failures").tag("reason", "corrupt").counter().count()).isEqualTo(1.0);
    }

    @Test
    void trimCoverageOnlyUsesSegmentsListedForTheSettleDelay() throws Exception {
        byte[] pk = wal.model().pageKeys().get(0).toBytes();
        catalog.set(List.of(ColdTestData.active(segment(0, 10_000, 0))));
        source.refresh();
        assertThat(source.coveredVersions(pk, wal.lsn())).isEmpty();
        long generation = source.generation();
        advance(Duration.ofSeconds(20));
        catalog.set(new ArrayList<>(List.of(catalog.segments.get(0), ColdTestData.active(segment(10_000, Long.MAX_VALUE, 0)))));
        source.refresh();
        advance(Duration.ofSeconds(11)); // the first segment listed 31 s ago, the second 11 s ago
        source.refresh();
        assertThat(source.generation()).isGreaterThan(generation); // the trimmer starts a new sweep
        List<ColdVersion> covered = source.coveredVersions(pk, wal.lsn());
        assertThat(lsns(covered)).isEqualTo(lsns(ColdTestData.lookup(segmentView(0, 10_000), pk, wal.lsn(), true)));
        assertThat(lsns(source.versions(pk, wal.lsn(), true))).isEqualTo(lsns(ColdTestData.lookup(all, pk, wal.lsn(), true)));
        advance(Duration.ofSeconds(20));
        source.refresh();
        assertThat(lsns(source.coveredVersions(pk, wal.lsn()))).isEqualTo(lsns(ColdTestData.lookup(all, pk, wal.lsn(), true)));
    }

    private NavigableMap<byte[], byte[]> segmentView(long from, long to) {
        NavigableMap<byte[], byte[]> part = ColdTestData.sortedVersions();
        for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
            long l = VersionKey.lsnOf(e.getKey());
            if (l >= from && l < to) {
                part.put(e.getKey(), e.getValue());
            }
        }
        return part;
    }

    @Test
    void closeDoesNotWaitForARefreshStuckInTheCatalogAndClosesTheConnection() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        SegmentColdPageSource.CatalogView stuck = new FakeCatalog() {
            @Override
            public long segmentsVersion() {
                entered.countDown();
                try {
                    released.await(); // a catalog call in its retry loop; only closing the pool ends it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new CatalogUnavailableException("pool closed (test)", null);
            }
        };
        ColdTierSettings settings = ColdTierSettings.of(CatalogConfig.of("jdbc:unused", "u", "p"), dir);
        SegmentColdPageSource s = new SegmentColdPageSource(
                () -> new SegmentColdPageSource.Connection(stuck, store, released::countDown), settings, null, System::nanoTime);
        s.partitions(0);
        Thread refresher = Thread.ofPlatform().start(s::refresh);
        entered.await();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), s::close);
        assertThat(released.getCount()).isZero();
        refresher.join();
        assertThat(s.refresh()).isFalse();
    }

    @Test
    void gcHorizonAndDurableLsnComeFromTheCatalogsTimelines() throws Exception {
        assertThat(source.gcHorizon(T)).isEqualTo(Lsn.ZERO);
        catalog.timelines = List.of(new TimelineInfo(T, Instant.now(), Instant.now(), 1234, 5678));
        source.refresh();
        assertThat(source.gcHorizon(T)).isEqualTo(new Lsn(1234));
        assertThat(source.durableLsn(T)).isEqualTo(new Lsn(5678));
        assertThat(source.settledGcHorizon(T)).isZero(); // the trimmer relies on it only after the settle delay
        advance(Duration.ofSeconds(31));
        catalog.timelines = List.of(new TimelineInfo(T, Instant.now(), Instant.now(), 2000, 5678));
        source.refresh();
        assertThat(source.settledGcHorizon(T)).isEqualTo(1234);
        assertThat(source.gcHorizon(T)).isEqualTo(new Lsn(2000));
        advance(Duration.ofSeconds(30));
        source.refresh();
        assertThat(source.settledGcHorizon(T)).isEqualTo(2000);
        assertThat(source.durableLsn(TimelineKey.of("33333333333333333333333333333333", "44444444444444444444444444444444")))
                .isEqualTo(Lsn.ZERO);
    }

    /**
     * The {@code segment-read} failpoint as the page service wires it ({@link ColdTier#faults}): a
     * slow block read makes a lookup with a deadline that passes meanwhile fail with DeadlineExceeded
     * before the next segment, never a partial or wrong list; a failing one is a counted 503; both
     * are timed in se.cold.lookup; once off, the same lookups answer the right versions.
     */
    @Test
    void slowOrFailingSegmentReadsFailTheLookupOnItsDeadlineAndNeverAnswerWrongVersions() throws Exception {
        io.storageengine.runtime.failpoint.Failpoints failpoints = io.storageengine.runtime.failpoint.Failpoints.none();
        DirectorySegmentStore faulty = new DirectorySegmentStore(dir.resolve("segments"), null, ColdTier.faults(failpoints));
        SegmentColdPageSource slow = new SegmentColdPageSource(
                () -> new SegmentColdPageSource.Connection(catalog, faulty, () -> { }),
                ColdTierSettings.of(CatalogConfig.of("jdbc:unused", "u", "p"), dir), registry, now::get);
        try {
            long third = wal.lsn() / 3;
            catalog.set(List.of(ColdTestData.active(segment(0, third, 0)), ColdTestData.active(segment(third, 2 * third, 0)),
                    ColdTestData.active(segment(2 * third, Long.MAX_VALUE, 0))));
            assertThat(slow.refresh()).isTrue();
            // a page whose versions to its chain start span all three segments, read at the newest LSN
            byte[] pk = null;
            for (PageKey p : wal.model().pageKeys()) {
                if (ColdTestData.lookup(all, p.toBytes(), wal.lsn(), true).stream().map(ColdVersion::lsn)
                        .anyMatch(l -> l < third)) {
                    pk = p.toBytes();
                    break;
                }
            }
            assertThat(pk).as("a page with versions in the oldest segment").isNotNull();
            List<Long> want = lsns(ColdTestData.lookup(all, pk, wal.lsn(), true));

            failpoints.set(ColdTier.SEGMENT_READ, "sleep(40)");
            byte[] key = pk;
            assertThatThrownBy(() -> slow.versions(key, wal.lsn(), true, System.nanoTime() + 10_000_000L))
                    .isInstanceOf(PageReadException.DeadlineExceeded.class).hasMessageContaining("deadline");
            long bounded = failpoints.point(ColdTier.SEGMENT_READ).hits();
            // without a deadline the slow reads finish, with the right versions, reading every segment
            assertThat(lsns(slow.versions(key, wal.lsn(), true))).isEqualTo(want);
            long full = failpoints.point(ColdTier.SEGMENT_READ).hits() - bounded;
            assertThat(full).as("block reads of the whole lookup (three segments)").isGreaterThanOrEqualTo(3);
            assertThat(bounded).as("block reads before the deadline stopped the lookup").isBetween(1L, full - 1);

            failpoints.set(ColdTier.SEGMENT_READ, "error(Input/output error)");
            assertThatThrownBy(() -> slow.versions(key, wal.lsn(), true, System.nanoTime() + 10_000_000_000L))
                    .isInstanceOf(PageReadException.Unavailable.class).hasMessageContaining("Input/output error");
            assertThat(registry.get("se.cold.read.failures").tag("reason", "error").counter().count()).isEqualTo(1.0);

            failpoints.set(ColdTier.SEGMENT_READ, "off");
            assertThat(lsns(slow.versions(key, wal.lsn(), true, System.nanoTime() + 10_000_000_000L))).isEqualTo(want);
            assertThat(registry.get("se.cold.lookup").timer().count()).isEqualTo(4);
            assertThat(registry.get("se.cold.lookup").timer().max(java.util.concurrent.TimeUnit.MILLISECONDS))
                    .isGreaterThanOrEqualTo(40);
        } finally {
            slow.close();
        }
    }
}
