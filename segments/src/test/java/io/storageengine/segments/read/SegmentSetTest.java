package io.storageengine.segments.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.SegmentState;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.segments.segment.SegmentInfo;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.segments.store.SegmentMetas;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentSetTest {
    static final TimelineKey TL = new TimelineKey(new TenantId(7, 7), new TimelineId(8, 8));

    @TempDir
    Path dir;
    DirectorySegmentStore store;
    final List<SegmentReader> opened = new ArrayList<>();
    SegmentStore counting;
    final AtomicLong version = new AtomicLong(1);
    volatile List<CatalogSegment> active = List.of();
    volatile List<TimelineInfo> timelines = List.of();
    long nextId = 1;

    @BeforeEach
    void setUp() throws IOException {
        store = new DirectorySegmentStore(dir);
        counting = new SegmentStore() {
            public String name() {
                return "dir";
            }

            public String put(String n, Path f) throws IOException {
                return store.put(n, f);
            }

            public SegmentReader open(String n) throws IOException {
                SegmentReader r = store.open(n);
                synchronized (opened) {
                    opened.add(r);
                }
                return r;
            }

            public boolean delete(String n) throws IOException {
                return store.delete(n);
            }

            public List<String> list() throws IOException {
                return store.list();
            }

            public boolean exists(String n) {
                return store.exists(n);
            }

            public Path stagingDirectory() {
                return store.stagingDirectory();
            }
        };
    }

    static byte[] page(int block) {
        return new PageKey(TL, new PageRef(1663, 1, 1, 0, block)).toBytes();
    }

    static byte[] delta(long lsn) {
        return new byte[] {RecordType.PAGE_DELTA.codeByte(), 0, 1, 0, 0, 0, 1, (byte) lsn};
    }

    static byte[] image(long lsn) {
        byte[] p = new byte[8192];
        p[0] = (byte) lsn;
        return StoredVersion.image(p);
    }

    /** Writes a segment of (block, lsn, value) triples (must be in key order) and returns its catalog row. */
    CatalogSegment segment(String name, SegmentKind kind, int partition, Object[]... records) throws IOException {
        SegmentInfo info;
        try (SegmentWriter w = SegmentWriter.create(dir.resolve(name), new SegmentWriter.Options(kind, 0, partition, 1024))) {
            for (Object[] r : records) {
                w.add(page((Integer) r[0]), (Long) r[1], (byte[]) r[2]);
            }
            info = w.finish();
        }
        return new CatalogSegment(nextId++, SegmentMetas.of(name, info, "dir", name), SegmentState.ACTIVE, Instant.now(), null);
    }

    SegmentSet set(int partitions) {
        return new SegmentSet(version::get, () -> active, () -> timelines, counting, partitions);
    }

    @Test
    void mergesVersionsAcrossSegmentsNewestFirstEachLsnOnceImagesWinning() throws IOException {
        CatalogSegment l0a = segment("a", SegmentKind.DELTA, 0, new Object[] {1, 10L, image(10)}, new Object[] {1, 20L, delta(20)},
                new Object[] {1, 30L, delta(30)});
        CatalogSegment l0b = segment("b", SegmentKind.DELTA, 0, new Object[] {1, 40L, delta(40)}, new Object[] {1, 50L, delta(50)});
        CatalogSegment img = segment("img", SegmentKind.IMAGE, 0, new Object[] {1, 30L, image(30)});
        active = List.of(l0a, l0b, img);
        try (SegmentSet set = set(0)) {
            set.refresh();
            assertThat(set.versions(page(1), 45, false)).extracting(SegmentVersion::lsn).containsExactly(40L, 30L, 20L, 10L);
            List<SegmentVersion> toImage = set.versions(page(1), 100, true);
            assertThat(toImage).extracting(SegmentVersion::lsn).containsExactly(50L, 40L, 30L);
            assertThat(toImage.getLast().value()).isEqualTo(image(30)); // the image segment's version wins at LSN 30
            assertThat(set.versions(page(1), 25, true)).extracting(SegmentVersion::lsn).containsExactly(20L, 10L);
            assertThat(set.versions(page(2), 100, false)).isEmpty();
            assertThat(set.versions(page(1), 5, false)).isEmpty();
        }
    }

    /** A PG_RECORD version (rmgr 10) for block reference 0, WILL_INIT or not. */
    static byte[] pg(boolean willInit) {
        java.nio.ByteBuffer rec = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        rec.putInt(24).putInt(1).putLong(0).put((byte) 0).put((byte) 10).flip();
        return StoredVersion.pgRecord(0, willInit ? 1 : 0, rec.position(0).limit(24));
    }

    @Test
    void anInitializingPostgresRecordStartsTheChainAndAnImageAtItsLsnReplacesIt() throws IOException {
        CatalogSegment l0a = segment("a", SegmentKind.DELTA, 0, new Object[] {1, 10L, image(10)}, new Object[] {1, 20L, pg(true)},
                new Object[] {1, 30L, pg(false)}, new Object[] {1, 40L, delta(40)});
        active = List.of(l0a);
        try (SegmentSet set = set(0)) {
            set.refresh();
            assertThat(set.versions(page(1), 100, true)).extracting(SegmentVersion::lsn).containsExactly(40L, 30L, 20L);
            assertThat(set.versions(page(1), 15, true)).extracting(SegmentVersion::lsn).containsExactly(10L);
            CatalogSegment img = segment("img", SegmentKind.IMAGE, 0, new Object[] {1, 30L, image(30)});
            active = List.of(l0a, img);
            version.incrementAndGet();
            set.refresh();
            List<SegmentVersion> chain = set.versions(page(1), 100, true);
            assertThat(chain).extracting(SegmentVersion::lsn).containsExactly(40L, 30L);
            assertThat(chain.getLast().value()).isEqualTo(image(30));
            assertThat(set.versions(page(1), 100, false)).extracting(SegmentVersion::lsn).containsExactly(40L, 30L, 20L, 10L);
        }
    }

    @Test
    void aSnapshotInUseKeepsRetiredSegmentsReadableUntilItIsClosed() throws IOException {
        CatalogSegment a = segment("a", SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)}, new Object[] {1, 20L, delta(20)});
        active = List.of(a);
        try (SegmentSet set = set(0)) {
            set.refresh();
            SegmentSet.Snapshot reading = set.acquire();
            assertThat(reading.versions(page(1), 15, false)).hasSize(1);
            // compaction swaps a for l1, and the retired file is deleted while the read is in progress
            CatalogSegment l1 = segment("l1", SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)}, new Object[] {1, 20L, delta(20)},
                    new Object[] {1, 30L, delta(30)});
            active = List.of(l1);
            version.incrementAndGet();
            assertThat(set.refresh()).isTrue();
            Files.delete(dir.resolve("a"));
            assertThat(reading.versions(page(1), 100, false)).extracting(SegmentVersion::lsn).containsExactly(20L, 10L);
            SegmentReader aReader = opened.getFirst();
            assertThat(aReader.isOpen()).isTrue();
            reading.close();
            assertThat(aReader.isOpen()).isFalse();
            assertThat(set.versions(page(1), 100, false)).extracting(SegmentVersion::lsn).containsExactly(30L, 20L, 10L);
        }
        assertThat(opened).allSatisfy(r -> assertThat(r.isOpen()).isFalse());
    }

    @Test
    void unchangedSegmentsKeepTheirReaderAcrossRefreshes() throws IOException {
        CatalogSegment a = segment("a", SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)});
        active = List.of(a);
        try (SegmentSet set = set(0)) {
            assertThat(set.refresh()).isTrue();
            assertThat(set.refresh()).isFalse(); // counter did not move
            set.versions(page(1), 10, false);
            CatalogSegment b = segment("b", SegmentKind.DELTA, 0, new Object[] {1, 20L, delta(20)});
            active = List.of(a, b);
            version.incrementAndGet();
            assertThat(set.refresh()).isTrue();
            assertThat(set.versions(page(1), 30, false)).hasSize(2);
            assertThat(opened).hasSize(2);
            assertThat(opened.getFirst().isOpen()).isTrue();
        }
    }

    @Test
    void preopenOpensNewSegmentsInRefreshAndLeavesBrokenOnesToTheLookup() throws IOException {
        CatalogSegment a = segment("a", SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)});
        CatalogSegment gone = segment("gone", SegmentKind.DELTA, 0, new Object[] {2, 10L, delta(10)});
        Files.delete(dir.resolve("gone"));
        active = List.of(a, gone);
        try (ReaderCache readers = new ReaderCache(counting, ReaderCache.UNBOUNDED);
             SegmentSet set = new SegmentSet(version::get, () -> active, () -> timelines, readers, 0, true)) {
            set.refresh();
            assertThat(opened).hasSize(1); // before any lookup
            assertThat(set.versions(page(1), 10, false)).extracting(SegmentVersion::lsn).containsExactly(10L);
            assertThatThrownBy(() -> set.versions(page(2), 100, false)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot open segment gone");
            assertThat(opened).hasSize(1);
        }
    }

    @Test
    void aReaderBudgetKeepsFewReadersOpenAndLookupsStillSeeEverySegment() throws IOException {
        List<CatalogSegment> segs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            segs.add(segment("s" + i, SegmentKind.DELTA, 0, new Object[] {1, 10L + i, delta(10 + i)}));
        }
        active = segs;
        try (ReaderCache readers = new ReaderCache(counting, 1); // below one reader: at most one stays open
             SegmentSet set = new SegmentSet(version::get, () -> active, () -> timelines, readers, 0, false)) {
            set.refresh();
            for (int round = 0; round < 3; round++) {
                assertThat(set.versions(page(1), 100, false)).extracting(SegmentVersion::lsn)
                        .containsExactly(15L, 14L, 13L, 12L, 11L, 10L);
                assertThat(readers.openReaders()).isEqualTo(1);
                assertThat(opened.stream().filter(SegmentReader::isOpen).count()).isEqualTo(1);
            }
            assertThat(readers.opens()).isEqualTo(18);
            assertThat(readers.evictions()).isEqualTo(17);
        }
        assertThat(opened).noneMatch(SegmentReader::isOpen);
    }

    @Test
    void anEvictedReaderStaysReadableForTheLookupThatHoldsIt() throws IOException {
        CatalogSegment a = segment("a", SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)});
        CatalogSegment b = segment("b", SegmentKind.DELTA, 0, new Object[] {1, 20L, delta(20)});
        try (ReaderCache readers = new ReaderCache(counting, 1)) {
            SegmentReader held = readers.acquire("a");
            readers.acquire("b").release(); // evicts a from the cache
            assertThat(readers.openReaders()).isEqualTo(1);
            assertThat(held.isOpen()).isTrue();
            assertThat(held.versions(page(1), 100)).extracting(SegmentVersion::lsn).containsExactly(10L);
            held.release();
            assertThat(held.isOpen()).isFalse();
            readers.drop("b");
            assertThat(readers.openReaders()).isZero();
            assertThat(readers.metadataBytes()).isZero();
        }
    }

    @Test
    void withPartitionsOnlyThePagesPartitionIsConsulted() throws IOException {
        int partitions = 4;
        int p1 = Partitioning.partitionOf(page(1), partitions);
        CatalogSegment mine = segment("mine", SegmentKind.DELTA, p1, new Object[] {1, 10L, delta(10)});
        CatalogSegment other = segment("other", SegmentKind.DELTA, (p1 + 1) % partitions, new Object[] {1, 20L, delta(20)});
        active = List.of(mine, other);
        try (SegmentSet set = set(partitions)) {
            set.refresh();
            assertThat(set.versions(page(1), 100, false)).extracting(SegmentVersion::lsn).containsExactly(10L);
            assertThat(opened).hasSize(1);
        }
    }

    @Test
    void aSegmentThatCannotBeOpenedFailsTheLookupInsteadOfBeingSkipped() throws IOException {
        CatalogSegment a = segment("a", SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)});
        Files.delete(dir.resolve("a"));
        active = List.of(a);
        try (SegmentSet set = set(0)) {
            set.refresh();
            assertThatThrownBy(() -> set.versions(page(1), 100, false)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot open segment a");
        }
    }

    @Test
    void concurrentLookupsDuringSwapsAlwaysSeeACompleteSetAndEveryReaderIsClosedAtTheEnd() throws Exception {
        // generation g: either two L0 segments or one L1 segment holding the same versions 10..60
        List<List<CatalogSegment>> generations = new ArrayList<>();
        for (int g = 0; g < 6; g++) {
            if (g % 2 == 0) {
                generations.add(List.of(
                        segment("l0a-" + g, SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)}, new Object[] {1, 20L, delta(20)},
                                new Object[] {1, 30L, delta(30)}),
                        segment("l0b-" + g, SegmentKind.DELTA, 0, new Object[] {1, 40L, delta(40)}, new Object[] {1, 50L, delta(50)},
                                new Object[] {1, 60L, delta(60)})));
            } else {
                generations.add(List.of(segment("l1-" + g, SegmentKind.DELTA, 0, new Object[] {1, 10L, delta(10)},
                        new Object[] {1, 20L, delta(20)}, new Object[] {1, 30L, delta(30)}, new Object[] {1, 40L, delta(40)},
                        new Object[] {1, 50L, delta(50)}, new Object[] {1, 60L, delta(60)})));
            }
        }
        active = generations.getFirst();
        SegmentSet set = set(0);
        set.refresh();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicLong lookups = new AtomicLong();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(pool.submit(() -> {
                    int n = 0;
                    while (!stop.get()) {
                        assertThat(set.versions(page(1), 100, false)).extracting(SegmentVersion::lsn)
                                .containsExactly(60L, 50L, 40L, 30L, 20L, 10L);
                        lookups.incrementAndGet();
                        n++;
                    }
                    return n;
                }));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (int round = 0; (round < 200 || lookups.get() < 400) && System.nanoTime() < deadline; round++) {
                active = generations.get(round % generations.size());
                version.incrementAndGet();
                set.refresh();
            }
            stop.set(true);
            for (var f : readers) {
                assertThat(f.get()).isPositive();
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        set.close();
        synchronized (opened) {
            assertThat(opened).isNotEmpty().allSatisfy(r -> assertThat(r.isOpen()).isFalse());
        }
    }

    @Test
    void timelinesAreAnsweredFromTheLastRefresh() {
        timelines = List.of(new TimelineInfo(TL, Instant.now(), Instant.now(), 1234, 5000));
        try (SegmentSet set = set(0)) {
            assertThat(set.gcHorizon(TL)).isZero();
            set.refresh();
            assertThat(set.gcHorizon(TL)).isEqualTo(1234);
            assertThat(set.timeline(TL).lastAppliedLsn()).isEqualTo(5000);
        }
    }

    @Test
    void aLookupStopsBeforeTheNextSegmentOnceItsDeadlinePassed() throws IOException {
        CatalogSegment older = segment("old", SegmentKind.DELTA, 0, new Object[] {1, 10L, image(10)});
        CatalogSegment newer = segment("new", SegmentKind.DELTA, 0, new Object[] {1, 20L, delta(20)});
        active = List.of(older, newer);
        try (SegmentSet s = set(0)) {
            s.refresh();
            assertThat(s.versions(page(1), 30, true, SegmentSet.NO_DEADLINE)).extracting(SegmentVersion::lsn)
                    .containsExactly(20L, 10L);
            int before = opened.size();
            assertThatThrownBy(() -> s.versions(page(1), 30, true, System.nanoTime() - 1))
                    .isInstanceOf(LookupDeadlineException.class);
            assertThat(opened).as("no segment read after the deadline").hasSize(before);
            assertThat(s.versions(page(1), 30, true, System.nanoTime() + 60_000_000_000L)).hasSize(2);
        }
    }
}
