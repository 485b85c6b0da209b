package io.storageengine.pageservice.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.TopologyFixture;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorePageReaderTest {
    private static final TimelineKey T = TimelineKey.of("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
    private static final long NO_DEADLINE = StorePageReader.NO_DEADLINE;

    private final TopologyFixture fx = new TopologyFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private StorePageReader reader(Duration wait) {
        return new StorePageReader(fx, fx.registry(), ColdPageSource.none(), wait);
    }

    private static PageRequest at(PageKey key, Long lsn) {
        return new PageRequest(key.timeline(), key.page(), lsn == null ? null : new Lsn(lsn), null, NO_DEADLINE);
    }

    private static void assertMatches(PageVersion v, ReferenceModel.Expected e, long requestLsn) {
        assertThat(v.page()).isEqualTo(e.page());
        assertThat(v.pageLsn().value()).isEqualTo(e.pageLsn());
        assertThat(v.requestLsn().value()).isEqualTo(requestLsn);
    }

    @Test
    void reconstructionMatchesTheReferenceModelAtEveryRecordLsnBetweenThemAndBeforeTheFirst() throws Exception {
        SyntheticWal wal = new SyntheticWal(42, 10_000);
        wal.randomRun(T, 20, 2_000, 0.1, 50);
        long end = wal.lsn() + 1000;
        wal.watermark(T, end);
        fx.pipe(wal.events());
        StorePageReader reader = reader(Duration.ofMillis(10));
        ReferenceModel model = wal.model();
        int checked = 0;
        for (PageKey key : model.pageKeys()) {
            List<ReferenceModel.Rec> recs = model.records(key);
            List<Long> lsns = new ArrayList<>();
            for (ReferenceModel.Rec r : recs) {
                lsns.add(r.lsn());
                lsns.add(r.lsn() + 1); // between records (LSNs step by at least 1, records by more)
            }
            lsns.add(end);
            for (long lsn : lsns) {
                ReferenceModel.Expected e = model.pageAt(key, lsn);
                assertMatches(reader.read(at(key, lsn)), e, lsn);
                checked++;
            }
            long first = recs.get(0).lsn();
            assertThatThrownBy(() -> reader.read(at(key, first - 1)))
                    .isInstanceOf(PageReadException.PageNotFound.class).hasMessageContaining("no record at or before");
        }
        assertThat(checked).isGreaterThan(4_000);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 8, 32, 200})
    void deltaChainsOfAnyLengthAfterAnImageReconstructExactly(int chain) throws Exception {
        SyntheticWal wal = new SyntheticWal(chain, 1000);
        PageKey key = SyntheticWal.page(T, 7, 3);
        wal.image(key, wal.nextLsn(10));
        for (int i = 0; i < chain; i++) {
            wal.delta(key, wal.nextLsn(10));
        }
        wal.watermark(T, wal.lsn());
        fx.pipe(wal.events());
        StorePageReader reader = reader(Duration.ZERO);
        for (ReferenceModel.Rec r : wal.model().records(key)) {
            assertMatches(reader.read(at(key, r.lsn())), wal.model().pageAt(key, r.lsn()), r.lsn());
        }
    }

    @Test
    void deltasWithNoImageStartFromAnAllZeroPage() throws Exception {
        SyntheticWal wal = new SyntheticWal(5, 1000);
        PageKey key = SyntheticWal.page(T, 7, 4);
        wal.delta(key, 1001);
        wal.delta(key, 1002);
        wal.watermark(T, 1002);
        fx.pipe(wal.events());
        PageVersion v = reader(Duration.ZERO).read(at(key, 1002L));
        assertMatches(v, wal.model().pageAt(key, 1002), 1002);
    }

    @Test
    void aChainThatNeedsAPostgresRecordFailsWithRedoUnsupportedNamingRmgrInfoAndLsn() throws Exception {
        SyntheticWal wal = new SyntheticWal(9, 1000);
        PageKey key = SyntheticWal.page(T, 7, 6);
        wal.image(key, 1001);
        wal.pgRecord(key, 1005, 0, 1, 0x20); // Transaction: no redo engine replays it onto a page
        wal.delta(key, 1009);
        wal.pgRecord(key, 1020, 1, 8, 0x00); // WILL_INIT: a chain start (Standby: not replayable either)
        wal.delta(key, 1030);
        wal.watermark(T, 1030);
        fx.pipe(wal.events());
        StorePageReader reader = reader(Duration.ZERO);
        assertMatches(reader.read(at(key, 1004L)), wal.model().pageAt(key, 1001), 1004);
        assertThatThrownBy(() -> reader.read(at(key, 1009L)))
                .isInstanceOfSatisfying(PageReadException.RedoUnsupported.class, e -> {
                    assertThat(e.rmgrId()).isEqualTo(1);
                    assertThat(e.info()).isEqualTo(0x20);
                    assertThat(e.lsn()).isEqualTo(new Lsn(1005));
                    assertThat(e.getMessage()).contains("Transaction (1)", "info 0x20", "0/3ED", key.page().toString());
                });
        // the read at 1030 starts at the WILL_INIT record: the older one is not needed, this one is
        assertThatThrownBy(() -> reader.read(at(key, 1030L)))
                .isInstanceOfSatisfying(PageReadException.RedoUnsupported.class, e -> {
                    assertThat(e.rmgrId()).isEqualTo(8);
                    assertThat(e.lsn()).isEqualTo(new Lsn(1020));
                });
    }

    @Test
    void omittedLsnReadsAsOfTheNewestWatermark() throws Exception {
        SyntheticWal wal = new SyntheticWal(6, 1000);
        PageKey key = SyntheticWal.page(T, 7, 5);
        wal.image(key, 1001);
        wal.delta(key, 1005);
        wal.watermark(T, 1003);
        wal.delta(key, 1009); // applied but beyond the watermark
        fx.pipe(wal.events());
        PageVersion v = reader(Duration.ZERO).read(at(key, null));
        assertMatches(v, wal.model().pageAt(key, 1003), 1003);
    }

    @Test
    void aReadBeyondTheWatermarkTimesOutWithTheLastAppliedLsn() {
        SyntheticWal wal = new SyntheticWal(7, 1000);
        PageKey key = SyntheticWal.page(T, 7, 6);
        wal.image(key, 1001);
        wal.watermark(T, 1001);
        fx.pipe(wal.events());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> reader(Duration.ofMillis(100)).read(at(key, 2000L)))
                .isInstanceOfSatisfying(PageReadException.WalWaitTimeout.class,
                        e -> assertThat(e.lastApplied()).isEqualTo(new Lsn(1001)));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void aWaitingReadAnswersWhenTheWatermarkArrives() throws Exception {
        SyntheticWal wal = new SyntheticWal(8, 1000);
        PageKey key = SyntheticWal.page(T, 7, 7);
        wal.image(key, 1001);
        wal.watermark(T, 1001);
        wal.delta(key, 1500);
        fx.pipe(wal.drain());
        StorePageReader reader = reader(Duration.ofSeconds(30));
        CompletableFuture<PageVersion> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.read(at(key, 1600L));
            } catch (PageReadException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        wal.watermark(T, 1700);
        fx.pipe(wal.drain());
        PageVersion v = waiting.get(10, TimeUnit.SECONDS);
        assertMatches(v, wal.model().pageAt(key, 1600), 1600);
    }

    @Test
    void notModifiedSinceWaitsOnlyForThatLsn() throws Exception {
        SyntheticWal wal = new SyntheticWal(9, 1000);
        PageKey key = SyntheticWal.page(T, 7, 8);
        wal.image(key, 1001);
        wal.watermark(T, 1200);
        fx.pipe(wal.events());
        PageVersion v = reader(Duration.ofSeconds(30)).read(
                new PageRequest(T, key.page(), new Lsn(5000), new Lsn(1100), NO_DEADLINE));
        assertMatches(v, wal.model().pageAt(key, 5000), 5000);
    }

    @Test
    void anUnknownTimelineIsNotFoundAndAPageWithoutRecordsIsNotFound() {
        SyntheticWal wal = new SyntheticWal(10, 1000);
        PageKey key = SyntheticWal.page(T, 7, 9);
        wal.image(key, 1001);
        wal.watermark(T, 1001);
        fx.pipe(wal.events());
        TimelineKey unknown = TimelineKey.of("0123456789abcdef0123456789abcdef", "00000000000000000000000000000001");
        StorePageReader reader = reader(Duration.ofSeconds(30));
        assertThatThrownBy(() -> reader.read(new PageRequest(unknown, key.page(), new Lsn(1001), null, NO_DEADLINE)))
                .isInstanceOf(PageReadException.TimelineNotFound.class);
        assertThatThrownBy(() -> reader.status(unknown)).isInstanceOf(PageReadException.TimelineNotFound.class);
        assertThatThrownBy(() -> reader.read(at(SyntheticWal.page(T, 7, 10), 1001L)))
                .isInstanceOf(PageReadException.PageNotFound.class);
    }

    @Test
    void aPassedDeadlineStopsReconstruction() {
        SyntheticWal wal = new SyntheticWal(11, 1000);
        PageKey key = SyntheticWal.page(T, 7, 11);
        wal.image(key, 1001);
        wal.watermark(T, 1001);
        fx.pipe(wal.events());
        assertThatThrownBy(() -> reader(Duration.ZERO).read(
                new PageRequest(T, key.page(), new Lsn(1001), null, System.nanoTime() - 1)))
                .isInstanceOf(PageReadException.DeadlineExceeded.class);
    }

    @Test
    void aPartitionNotServedHereIsUnavailable() {
        SyntheticWal wal = new SyntheticWal(12, 1000);
        PageKey key = SyntheticWal.page(T, 7, 12);
        wal.image(key, 1001);
        wal.watermark(T, 1001);
        fx.pipe(wal.events());
        fx.registry().release(0);
        assertThatThrownBy(() -> reader(Duration.ZERO).read(at(key, 1001L)))
                .isInstanceOf(PageReadException.Unavailable.class);
    }

    @Test
    void statusReportsTheAppliedLsnAndTheColdTiersHorizonAndDurableLsn() throws Exception {
        SyntheticWal wal = new SyntheticWal(13, 1000);
        wal.image(SyntheticWal.page(T, 7, 13), 1001);
        wal.watermark(T, 1234);
        fx.pipe(wal.events());
        FakeCold cold = new FakeCold();
        cold.horizon = new Lsn(500);
        cold.durable = new Lsn(900);
        TimelineStatus s = new StorePageReader(fx, fx.registry(), cold, Duration.ZERO).status(T);
        assertThat(s).isEqualTo(new TimelineStatus(T, new Lsn(1234), new Lsn(900), new Lsn(500)));
    }

    @Test
    void theReadContinuesIntoTheColdTierAndCountsARecordHeldByBothOnce() throws Exception {
        SyntheticWal wal = new SyntheticWal(14, 1000);
        PageKey key = SyntheticWal.page(T, 7, 14);
        wal.image(key, 1010);        // cold only (trimmed from hot)
        wal.delta(key, 1020);        // cold only
        wal.delta(key, 1030);        // both tiers
        wal.delta(key, 1040);        // hot only
        List<SyntheticWal.Event> events = wal.drain();
        FakeCold cold = FakeCold.of(events.subList(0, 3));
        fx.pipe(events.subList(2, 4));
        wal.watermark(T, 1040);
        fx.pipe(wal.drain());
        StorePageReader reader = new StorePageReader(fx, fx.registry(), cold, Duration.ZERO);
        for (long lsn : new long[] {1010, 1015, 1020, 1030, 1035, 1040}) {
            assertMatches(reader.read(at(key, lsn)), wal.model().pageAt(key, lsn), lsn);
        }
        assertThatThrownBy(() -> reader.read(at(key, 1009L))).isInstanceOf(PageReadException.PageNotFound.class);
        cold.horizon = new Lsn(1025);
        assertThatThrownBy(() -> reader.read(at(key, 1020L)))
                .isInstanceOfSatisfying(PageReadException.BelowGcHorizon.class,
                        e -> assertThat(e.horizon()).isEqualTo(new Lsn(1025)));
        assertMatches(reader.read(at(key, 1030L)), wal.model().pageAt(key, 1030), 1030);

        // a refresh between the first horizon check and the cold lookup: the lookup meets a segment map
        // that relies on a newer horizon (published first), so the read must answer 410, not a page
        cold.horizonDuringLookup = new Lsn(1036);
        assertThatThrownBy(() -> reader.read(at(key, 1035L)))
                .isInstanceOfSatisfying(PageReadException.BelowGcHorizon.class,
                        e -> assertThat(e.horizon()).isEqualTo(new Lsn(1036)));
    }

    @Test
    void aPageHeldOnlyByTheColdTierIsCachedOnlyWhenNothingNewerIsThere() throws Exception {
        SyntheticWal wal = new SyntheticWal(15, 1000);
        PageKey key = SyntheticWal.page(T, 7, 15);
        wal.image(key, 1010);
        wal.delta(key, 1020);
        wal.delta(key, 1030);
        FakeCold cold = FakeCold.of(wal.drain()); // every version trimmed into segments: the hot store holds none
        wal.watermark(T, 1040);
        fx.pipe(wal.drain());
        NewestPageCache cache = new NewestPageCache(16, fx.registry().pageChanges());
        StorePageReader reader = new StorePageReader(fx, fx.registry(), cold, Duration.ZERO, cache);

        // at 1020 the page is not its newest state (1030 is in the segments): not cached, so the read
        // at 1040 that follows must not be answered with it
        assertMatches(reader.read(at(key, 1020L)), wal.model().pageAt(key, 1020), 1020);
        int lookups = cold.lookups;
        assertMatches(reader.read(at(key, 1040L)), wal.model().pageAt(key, 1040), 1040);
        assertThat(cold.lookups - lookups).as("one cold lookup for the newest state").isEqualTo(1);
        assertThat(cache.hits()).isZero();
        // the read at 1040 saw the newest state and filled the cache: the next one is a hit
        assertMatches(reader.read(at(key, 1040L)), wal.model().pageAt(key, 1040), 1040);
        assertThat(cache.hits()).isEqualTo(1);

        // a new version arrives: the entry is dropped and the read sees it
        wal.delta(key, 1050);
        wal.watermark(T, 1050);
        fx.pipe(wal.drain());
        assertMatches(reader.read(at(key, 1050L)), wal.model().pageAt(key, 1050), 1050);
        assertThat(cache.hits()).isEqualTo(1);
    }

    private static byte[] storedOf(SyntheticWal.Event e) {
        io.storageengine.schemas.wal.Frame f = io.storageengine.schemas.wal.FrameCodec.decodeExactly(e.value());
        return StoredVersion.fromPayload(f.type(), f.payload());
    }

    /** A cold tier holding one page's versions in memory. */
    static final class FakeCold implements ColdPageSource {
        final List<ColdVersion> versions = new ArrayList<>(); // ascending
        volatile Lsn horizon = Lsn.ZERO;
        volatile Lsn durable = Lsn.ZERO;
        /** If set, becomes the horizon while a lookup runs (a refresh racing the read). */
        volatile Lsn horizonDuringLookup;
        volatile int lookups;

        void add(long lsn, byte[] stored) {
            versions.add(new ColdVersion(lsn, stored));
        }

        /** A cold tier holding {@code events} (page records of one page, in LSN order). */
        static FakeCold of(List<SyntheticWal.Event> events) {
            FakeCold cold = new FakeCold();
            for (SyntheticWal.Event e : events) {
                cold.add(e.lsn(), storedOf(e));
            }
            return cold;
        }

        @Override
        public List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage) {
            lookups++;
            if (horizonDuringLookup != null) {
                horizon = horizonDuringLookup;
            }
            List<ColdVersion> out = new ArrayList<>();
            for (int i = versions.size() - 1; i >= 0; i--) {
                ColdVersion v = versions.get(i);
                if (Long.compareUnsigned(v.lsn(), maxLsn) <= 0) {
                    out.add(v);
                    if (stopAtImage && VersionChains.startsChain(v.stored())) {
                        break;
                    }
                }
            }
            return out;
        }

        @Override
        public Lsn gcHorizon(TimelineKey timeline) {
            return horizon;
        }

        @Override
        public Lsn durableLsn(TimelineKey timeline) {
            return durable;
        }
    }
}
