package io.storageengine.pageservice.topology.trim;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pageservice.cold.ColdTestData;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.StorePageReader;
import io.storageengine.pageservice.read.VersionStoreAccess;
import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.topology.PageTopologyConfig;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.WatermarkKeys;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hot-store trimming under a {@link TopologyTestDriver} with an in-memory cold tier: only versions
 * the cold tier holds are deleted, only as a prefix per page, markers stay, and every read at every
 * LSN returns the reference model's page before and after trimming.
 */
class HotTrimmingTest {
    static final TimelineKey T = TimelineKey.of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

    private final ColdTestData.MapCold cold = new ColdTestData.MapCold();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private HotTrimming trimming;
    private PageTopologyConfig config;
    private Path stateDir;

    private void start(int maxEntries) throws Exception {
        start(cold, new TrimSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(1), maxEntries, Duration.ofSeconds(10)));
    }

    private void start(TrimCoverage coverage, TrimSettings settings) throws Exception {
        trimming = new HotTrimming(coverage, settings);
        config = PageTopologyConfig.of("wal").withHotTrimmer(trimming);
        StreamsBuilder builder = new StreamsBuilder();
        PageTopology.build(builder, config);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "hot-trim-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        stateDir = Files.createTempDirectory("hot-trim-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props);
        input = driver.createInputTopic("wal", new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (stateDir != null) {
            try (var files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private KeyValueStore<byte[], byte[]> store() {
        return driver.getKeyValueStore(PageTopology.PAGE_VERSIONS_STORE);
    }

    private void pipe(List<SyntheticWal.Event> events) {
        for (SyntheticWal.Event e : events) {
            input.pipeInput(e.key(), e.value());
        }
    }

    private NavigableMap<byte[], byte[]> hot() {
        NavigableMap<byte[], byte[]> out = ColdTestData.sortedVersions();
        try (KeyValueIterator<byte[], byte[]> it = store().all()) {
            while (it.hasNext()) {
                KeyValue<byte[], byte[]> kv = it.next();
                out.put(kv.key, kv.value);
            }
        }
        return out;
    }

    private long hotVersions() {
        return hot().keySet().stream().filter(k -> k.length == VersionKey.SIZE).count();
    }

    private void trimUntilSwept() {
        long sweeps = trimming.sweeps();
        for (int i = 0; i < 1000 && trimming.sweeps() == sweeps; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        assertThat(trimming.sweeps()).as("a sweep completed").isGreaterThan(sweeps);
    }

    private StorePageReader reader() {
        KeyValueStore<byte[], byte[]> s = store();
        VersionStoreAccess access = new VersionStoreAccess() {
            @Override
            public int partitionCount() {
                return 1;
            }

            @Override
            public ReadOnlyKeyValueStore<byte[], byte[]> versions(int partition, PartitionMarks.Role role) {
                return s;
            }

            @Override
            public Long standbyWatermark(int partition, TimelineKey timeline) {
                byte[] v = s.get(WatermarkKeys.key(partition, timeline));
                return v == null ? null : WatermarkKeys.lsnOf(v);
            }
        };
        if (cache == null) { // one cache for the whole test: entries filled before a trim are read after it
            cache = new io.storageengine.pageservice.read.NewestPageCache(64, config.watermarks().pageChanges());
            cache.bindTo(cacheMeters);
        }
        return new StorePageReader(access, config.watermarks(), cold, Duration.ofSeconds(1), cache);
    }

    private io.storageengine.pageservice.read.NewestPageCache cache;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry cacheMeters =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    /** Reads every page at every record's LSN (and one above, and the latest) and compares with the model. */
    private int assertReadsMatch(ReferenceModel model, long end) throws PageReadException {
        StorePageReader reader = reader();
        int reads = 0;
        for (PageKey key : model.pageKeys()) {
            List<Long> at = new ArrayList<>();
            for (ReferenceModel.Rec r : model.records(key)) {
                at.add(r.lsn());
                at.add(r.lsn() + 1);
            }
            at.add(end);
            for (long lsn : at) {
                PageVersion v = reader.read(new PageRequest(T, key.page(), new Lsn(lsn), null, StorePageReader.NO_DEADLINE));
                ReferenceModel.Expected e = model.pageAt(key, lsn);
                assertThat(v.page()).as("page %s at %s", key, lsn).isEqualTo(e.page());
                assertThat(v.pageLsn().value()).isEqualTo(e.pageLsn());
                reads++;
            }
        }
        return reads;
    }

    /** Puts the versions of {@code events} with lsn < {@code below} into the cold tier (a segment built from a WAL prefix). */
    private void coldHolds(List<SyntheticWal.Event> events, long below) {
        ColdTestData.versionsOf(events, 0, 0).forEach((k, v) -> {
            if (VersionKey.lsnOf(k) < below) {
                cold.map.put(k, v);
            }
        });
    }

    @Test
    void deletesExactlyTheVersionsTheColdTierHoldsAndReadsStayTheSame() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(11, 5_000);
        wal.randomRun(T, 30, 1_500, 0.08, 40);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        List<SyntheticWal.Event> events = wal.events();
        pipe(events);
        long cut = 5_000 + (end - 5_000) * 2 / 3;
        coldHolds(events, cut);
        long before = hotVersions();
        int reads = assertReadsMatch(wal.model(), end);

        trimUntilSwept();

        NavigableMap<byte[], byte[]> hot = hot();
        for (byte[] k : ColdTestData.versionsOf(events, 0, 0).keySet()) {
            boolean inCold = cold.map.containsKey(k);
            assertThat(hot.containsKey(k)).as("version %s kept iff not in the cold tier", VersionKey.lsnOf(k))
                    .isEqualTo(!inCold);
        }
        assertThat(hot.keySet()).anyMatch(k -> k.length == WatermarkKeys.KEY_SIZE); // markers are not touched
        assertThat(trimming.trimmedVersions()).isEqualTo(before - hotVersions()).isGreaterThan(before / 2);
        assertThat(trimming.mismatches()).isZero();
        assertThat(assertReadsMatch(wal.model(), end)).isEqualTo(reads);
        assertThat(cold.lookups).isPositive();
        assertThat(cacheMeters.get("se.page.cache.hits").functionCounter().count())
                .as("newest pages answered by the cache, before and after trimming").isPositive();
    }

    @Test
    void aVersionAboveAMissingOneIsKeptSoReadsNeverSkipIt() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(5, 100);
        PageKey p = SyntheticWal.page(T, 7, 1);
        List<SyntheticWal.Event> events = new ArrayList<>();
        events.add(wal.image(p, 100));
        events.add(wal.delta(p, 110));
        events.add(wal.delta(p, 120));
        events.add(wal.image(p, 130));
        events.add(wal.delta(p, 140));
        events.add(wal.watermark(T, 200));
        pipe(events);
        NavigableMap<byte[], byte[]> all = ColdTestData.versionsOf(events, 0, 0);
        // the cold tier holds 100, 120 and 130 but not 110: only 100 may go
        all.forEach((k, v) -> {
            long l = VersionKey.lsnOf(k);
            if (l == 100 || l == 120 || l == 130) {
                cold.map.put(k, v);
            }
        });
        trimUntilSwept();
        assertThat(hot().keySet().stream().filter(k -> k.length == VersionKey.SIZE).map(VersionKey::lsnOf).toList())
                .containsExactly(110L, 120L, 130L, 140L);
        assertReadsMatch(wal.model(), 200);
    }

    @Test
    void anImageSegmentAtTheLsnOfAHotDeltaCoversItAndReadsStayTheSame() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(6, 100);
        PageKey p = SyntheticWal.page(T, 7, 2);
        List<SyntheticWal.Event> events = new ArrayList<>();
        events.add(wal.delta(p, 100));
        events.add(wal.delta(p, 110));
        events.add(wal.delta(p, 120));
        events.add(wal.delta(p, 130));
        events.add(wal.watermark(T, 200));
        pipe(events);
        // cold: deltas 100, 110 (L0) and an image of the page as of 120 (an image segment); 130 only hot
        NavigableMap<byte[], byte[]> all = ColdTestData.versionsOf(events, 0, 0);
        all.forEach((k, v) -> {
            if (VersionKey.lsnOf(k) <= 110) {
                cold.map.put(k, v);
            }
        });
        cold.map.put(VersionKey.encode(p.toBytes(), 120), StoredVersion.image(wal.model().pageAt(p, 120).page()));
        trimUntilSwept();
        assertThat(hot().keySet().stream().filter(k -> k.length == VersionKey.SIZE).map(VersionKey::lsnOf).toList())
                .containsExactly(130L);
        assertReadsMatch(wal.model(), 200);
    }

    @Test
    void anImageSegmentWrittenAfterTrimmingDoesNotHideTheTrimmedDeltasBelowIt() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(9, 100);
        PageKey p = SyntheticWal.page(T, 7, 4);
        List<SyntheticWal.Event> events = new ArrayList<>();
        for (long l = 100; l <= 130; l += 10) {
            events.add(wal.delta(p, l));
        }
        events.add(wal.watermark(T, 200));
        pipe(events);
        byte[] k100 = VersionKey.encode(p.toBytes(), 100);
        cold.map.put(k100, ColdTestData.versionsOf(events, 0, 0).get(k100));
        trimUntilSwept();
        assertThat(hotVersions()).isEqualTo(3); // 110, 120, 130 kept; 100 only in the cold tier
        // the compactor then writes an image of the page as of 120, where the hot store has the delta:
        // the cold list ends at that image, so the image (not the hot delta) must end the chain
        cold.map.put(VersionKey.encode(p.toBytes(), 120), StoredVersion.image(wal.model().pageAt(p, 120).page()));
        assertReadsMatch(wal.model(), 200);
    }

    @Test
    void versionsBelowTheHorizonsImageGoEvenIfGcAlreadyDroppedThemFromTheSegments() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(10, 100);
        PageKey p = SyntheticWal.page(T, 7, 5);
        List<SyntheticWal.Event> events = new ArrayList<>();
        events.add(wal.delta(p, 100));
        events.add(wal.delta(p, 110));
        events.add(wal.image(p, 120));
        events.add(wal.delta(p, 130));
        events.add(wal.delta(p, 150));
        events.add(wal.watermark(T, 200));
        pipe(events);
        NavigableMap<byte[], byte[]> all = ColdTestData.versionsOf(events, 0, 0);
        // GC kept only the image at 120 and what follows in the segments; 150 not compacted yet
        all.forEach((k, v) -> {
            long l = VersionKey.lsnOf(k);
            if (l >= 120 && l <= 130) {
                cold.map.put(k, v);
            }
        });
        trimUntilSwept();
        assertThat(hotVersions()).isEqualTo(5); // no horizon: 100 is not held, so nothing goes
        cold.horizon = 125;
        trimUntilSwept();
        assertThat(hot().keySet().stream().filter(k -> k.length == VersionKey.SIZE).map(VersionKey::lsnOf).toList())
                .containsExactly(150L);
        assertThat(trimming.shadowed.sum()).isEqualTo(2);
        StorePageReader reader = reader();
        for (long lsn = 125; lsn <= 200; lsn += 5) {
            PageVersion v = reader.read(new PageRequest(T, p.page(), new Lsn(lsn), null, StorePageReader.NO_DEADLINE));
            assertThat(v.page()).as("at %s", lsn).isEqualTo(wal.model().pageAt(p, lsn).page());
        }
        cold.horizon = 140; // an image above the page's oldest hot version but above the horizon: 150 stays
        cold.map.put(VersionKey.encode(p.toBytes(), 145), StoredVersion.image(wal.model().pageAt(p, 145).page()));
        trimUntilSwept();
        assertThat(hotVersions()).isEqualTo(1);
    }

    @Test
    void anInitializingPostgresRecordAtTheHorizonShadowsTheVersionsBelowIt() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(12, 100);
        PageKey p = SyntheticWal.page(T, 7, 6);
        List<SyntheticWal.Event> events = new ArrayList<>();
        events.add(wal.delta(p, 100));
        events.add(wal.pgRecord(p, 110, 0, 10, 0x20));
        events.add(wal.pgRecord(p, 120, 1, 10, 0x00)); // WILL_INIT: a chain start
        events.add(wal.delta(p, 130));
        events.add(wal.delta(p, 150));
        events.add(wal.watermark(T, 200));
        pipe(events);
        NavigableMap<byte[], byte[]> all = ColdTestData.versionsOf(events, 0, 0);
        // GC kept only the chain from the WILL_INIT record at 120 in the segments; 150 not compacted yet
        all.forEach((k, v) -> {
            long l = VersionKey.lsnOf(k);
            if (l >= 120 && l <= 130) {
                cold.map.put(k, v);
            }
        });
        trimUntilSwept();
        assertThat(hotVersions()).isEqualTo(5); // no horizon: 100 and 110 are not held, so nothing goes
        cold.horizon = 125;
        trimUntilSwept();
        assertThat(hot().keySet().stream().filter(k -> k.length == VersionKey.SIZE).map(VersionKey::lsnOf).toList())
                .containsExactly(150L);
        assertThat(trimming.shadowed.sum()).isEqualTo(2);
    }

    @Test
    void afterASweepTheStoreIsLeftAloneUntilTheCoverageChanges() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(15, 1_000);
        wal.randomRun(T, 10, 200, 0.1, 20);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        pipe(wal.events());
        coldHolds(wal.events(), 1_000 + (end - 1_000) / 2);
        cold.generation = 1;
        trimUntilSwept();
        long passes = trimming.passes.sum();
        long kept = hotVersions();
        int lookups = cold.lookups;
        for (int i = 0; i < 5; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        assertThat(trimming.passes.sum()).isEqualTo(passes);
        assertThat(cold.lookups).isEqualTo(lookups);
        coldHolds(wal.events(), end); // a new segment settles
        cold.generation = 2;
        trimUntilSwept();
        assertThat(hotVersions()).isZero().isLessThan(kept);
        assertReadsMatch(wal.model(), end);
    }

    @Test
    void aColdCopyWithOtherBytesIsKeptAndCounted() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(8, 100);
        PageKey p = SyntheticWal.page(T, 7, 3);
        List<SyntheticWal.Event> events = List.of(wal.image(p, 100), wal.delta(p, 110), wal.watermark(T, 200));
        pipe(events);
        cold.map.put(VersionKey.encode(p.toBytes(), 100), StoredVersion.image(new byte[8192]));
        trimUntilSwept();
        assertThat(hotVersions()).isEqualTo(2);
        assertThat(trimming.mismatches()).isEqualTo(1);
    }

    @Test
    void smallBudgetsResumeFromTheCursorAndReachTheSameResult() throws Exception {
        start(7);
        SyntheticWal wal = new SyntheticWal(12, 1_000);
        wal.randomRun(T, 25, 800, 0.1, 30);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        pipe(wal.events());
        coldHolds(wal.events(), end - (end - 1_000) / 4);
        long expectedKept = hotVersions() - cold.map.size();
        trimUntilSwept();
        // a pass stops at the first page boundary past 7 entries: at least one pass per page
        assertThat(trimming.passes.sum()).isGreaterThanOrEqualTo(wal.model().pageKeys().size());
        assertThat(hotVersions()).isEqualTo(expectedKept);
        assertReadsMatch(wal.model(), end);
    }

    @Test
    void nothingIsDeletedWhileTheColdTierCannotAnswer() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(13, 1_000);
        wal.randomRun(T, 10, 200, 0.1, 20);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        pipe(wal.events());
        coldHolds(wal.events(), end);
        cold.unavailable = true;
        long before = hotVersions();
        for (int i = 0; i < 5; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        assertThat(hotVersions()).isEqualTo(before);
        assertThat(trimming.skippedPasses.sum()).isGreaterThanOrEqualTo(5);
        cold.unavailable = false;
        trimUntilSwept();
        assertThat(hotVersions()).isZero();
        assertThat(trimming.hotStoreEntries()).isGreaterThanOrEqualTo(0);
        assertReadsMatch(wal.model(), end);
    }

    @Test
    void newVersionsAfterATrimAreKeptUntilCovered() throws Exception {
        start(10_000);
        SyntheticWal wal = new SyntheticWal(14, 1_000);
        wal.randomRun(T, 10, 300, 0.1, 20);
        long mid = wal.lsn() + 1;
        wal.watermark(T, mid);
        List<SyntheticWal.Event> first = wal.drain();
        pipe(first);
        coldHolds(first, mid);
        trimUntilSwept();
        assertThat(hotVersions()).isZero();
        wal.randomRun(T, 10, 300, 0.1, 20);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        List<SyntheticWal.Event> second = wal.drain();
        pipe(second);
        trimUntilSwept();
        assertThat(hotVersions()).isEqualTo(ColdTestData.versionsOf(second, 0, 0).size());
        assertReadsMatch(wal.model(), end);
    }

    /**
     * A slow cold tier (lookups taking 250 ms, a slow disk) must not hold the stream thread: after a
     * pass longer than the slow-pass bound, trimming pauses (10 s, then 20 s, ... on the punctuation
     * clock) and no lookup runs meanwhile; once the cold tier is fast again trimming resumes and
     * deletes what it covers, and reads stay the same throughout.
     */
    @Test
    void aSlowPassPausesTrimmingSoTheStreamThreadIsNotHeldAndTrimmingResumesLater() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean slow = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        TrimCoverage slowDisk = new TrimCoverage() {
            @Override
            public List<io.storageengine.pageservice.read.ColdVersion> coveredVersions(byte[] pageKey, long maxLsn)
                    throws PageReadException {
                calls.incrementAndGet();
                if (slow.get()) {
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return cold.coveredVersions(pageKey, maxLsn);
            }

            @Override
            public long generation() {
                return cold.generation();
            }
        };
        start(slowDisk, new TrimSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(1), 10_000, Duration.ofMillis(5)));
        SyntheticWal wal = new SyntheticWal(21, 5_000);
        wal.randomRun(T, 10, 300, 0.1, 40);
        long end = wal.lsn() + 1;
        wal.watermark(T, end);
        List<SyntheticWal.Event> events = wal.events();
        pipe(events);
        coldHolds(events, end);
        long before = hotVersions();

        driver.advanceWallClockTime(Duration.ofSeconds(1)); // one pass: its first lookup alone takes 250 ms
        int afterSlowPass = calls.get();
        assertThat(afterSlowPass).isPositive();
        for (int i = 0; i < 9; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        assertThat(calls.get()).as("no lookup while paused").isEqualTo(afterSlowPass);
        assertThat(trimming.pausedPasses()).isPositive();

        for (int i = 0; i < 4; i++) { // the pause (10 s after the pass's own second) is over: one more pass, slow again
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        int afterSecond = calls.get();
        assertThat(afterSecond).isGreaterThan(afterSlowPass);
        for (int i = 0; i < 15; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        assertThat(calls.get()).as("the second pause is longer (20 s)").isEqualTo(afterSecond);
        assertReadsMatch(wal.model(), end);

        slow.set(false);
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        trimUntilSwept();
        assertThat(hotVersions()).isLessThan(before);
        assertThat(trimming.trimmedVersions()).isEqualTo(before - hotVersions());
        assertReadsMatch(wal.model(), end);
    }
}
