package io.storageengine.compactor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.job.CompactionJob;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.SegmentState;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.compactor.merge.TestData;
import io.storageengine.compactor.worker.CompactorWorker;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.read.SegmentSet;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.store.SegmentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GC horizon end to end on a real broker and PostgreSQL: a compactor with a retention-based
 * horizon (no horizon set by hand) builds L0, L1 and image segments from the WAL, publishes the
 * horizon and retires what it makes unreachable, then deletes the files after the grace period.
 * Readers are the page service's cold tier: segments' {@link SegmentSet} (the class
 * {@code SegmentColdPageSource} reads through, same snapshots, same lookups) and the read path's
 * horizon rule ({@code StorePageReader}: an LSN below the timeline's horizon is refused with 410
 * {@code BelowGcHorizon}; page-service may not depend on this module, so the rule is restated in
 * {@link Reader#read}). Every read at or above the horizon must return exactly the reference
 * page, before, during and after each GC round and after the deletion; below the horizon the
 * read must be refused, and the test shows why: the data below it is really gone.
 *
 * <p>A reader loads the segment map BEFORE the timelines (horizons). Since the compactor publishes
 * a horizon before the retirement that relies on it, a map that shows the retirement then comes
 * with the horizon; loading the horizons first could pair an old horizon with the new map.
 */
class GcHorizonIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final TimelineKey T = new TimelineKey(new TenantId(21, 1), new TimelineId(22, 1));
    private static final long BASE = 0x0100_0000L;
    private static final long STEP = 128;
    private static final int CHUNK_RECORDS = 2000;
    /** Chunk k holds LSNs from BASE + k * CHUNK_SPAN (at most CHUNK_RECORDS * STEP of them). */
    private static final long CHUNK_SPAN = 300_000;
    /**
     * The horizon trails the newest LSN by this much. With one L1 generation per chunk (L0 trigger
     * 1) and an image every two generations, the image after chunk 1 falls below the horizon once
     * chunk 3 is in, the one after chunk 3 once chunk 5 is: two GC rounds.
     */
    private static final long RETENTION = 500_000;

    @TempDir
    Path dir;

    private static WalGen chunk(int k) {
        return WalGen.builder().seed(100 + k).relations(4).pagesPerRelation(64).imageRatio(0.2).records(CHUNK_RECORDS)
                .startLsn(BASE + k * CHUNK_SPAN).lsnStep(STEP).build();
    }

    /** A cold-tier reader: one {@link SegmentSet} refreshed from the catalog, segments first, then horizons. */
    static final class Reader implements AutoCloseable {
        private record Loaded(long version, List<CatalogSegment> active, List<TimelineInfo> timelines) {
        }

        /** What a read answered: refused below the horizon (410), or a page (null: no record ≤ LSN, 404). */
        record Answer(boolean belowHorizon, byte[] page) {
        }

        private final AtomicReference<Loaded> loaded = new AtomicReference<>();
        private final SegmentSet set;

        Reader(Catalog catalog, SegmentStore store, int partitions) {
            // SegmentSet.refresh asks for the version first: load all three there, in the cold tier's
            // order (segments, then horizons), and answer the other two from that load
            this.set = new SegmentSet(() -> {
                long v = catalog.segments().version();
                List<CatalogSegment> active = catalog.segments().active();
                List<TimelineInfo> timelines = catalog.timelines().all();
                loaded.set(new Loaded(v, active, timelines));
                return v;
            }, () -> loaded.get().active(), () -> loaded.get().timelines(), store, partitions);
        }

        void refresh() {
            set.refresh();
        }

        long horizon() {
            return set.gcHorizon(T);
        }

        /** GetPage@LSN from the cold tier as the page service answers it. */
        Answer read(byte[] pageKey, long lsn) {
            if (Lsn.isBefore(lsn, set.gcHorizon(T))) {
                return new Answer(true, null);
            }
            return new Answer(false, unchecked(pageKey, lsn));
        }

        /** The same lookup without the horizon rule (what a reader below the horizon would get). */
        byte[] unchecked(byte[] pageKey, long lsn) {
            List<SegmentVersion> versions = set.versions(pageKey, lsn, true); // newest first, ends at an image
            if (versions.isEmpty()) {
                return null;
            }
            byte[] page = new byte[8192];
            for (int i = versions.size() - 1; i >= 0; i--) {
                TestData.apply(page, versions.get(i).value());
            }
            return page;
        }

        @Override
        public void close() {
            set.close();
        }
    }

    /** A copy of the reference model (the publisher keeps adding to the live one) and its version keys. */
    private record Model(TreeMap<byte[], byte[]> versions, List<byte[]> keys) {
        static Model of(WalStream wal) {
            TreeMap<byte[], byte[]> copy = new TreeMap<>(Arrays::compareUnsigned);
            copy.putAll(wal.reference);
            return new Model(copy, new ArrayList<>(copy.keySet()));
        }

        /** The page at {@code lsn}: every published version ≤ lsn applied in order (null: none). */
        byte[] page(byte[] pageKey, long lsn) {
            return SegmentCheck.reference(versions, pageKey, lsn);
        }
    }

    /** Sampled reads compared with a model: at a version's LSN, one above, the horizon, or the newest covered LSN. */
    private static final class Checker {
        final AtomicReference<Model> model = new AtomicReference<>();
        final AtomicLong served = new AtomicLong();
        final AtomicLong refused = new AtomicLong();

        Checker(Model model) {
            this.model.set(model);
        }

        /** One pass of {@code n} reads at LSNs ≤ {@code maxLsn}; throws on a page that differs from the model. */
        void pass(Reader r, Random rnd, int n, long maxLsn) {
            long h = r.horizon();
            List<byte[]> keys = model.get().keys();
            for (int i = 0; i < n; i++) {
                byte[] k = keys.get(rnd.nextInt(keys.size()));
                long lsn = switch (rnd.nextInt(4)) {
                    case 0 -> VersionKey.lsnOf(k);
                    case 1 -> VersionKey.lsnOf(k) + 1;
                    case 2 -> Math.max(h, VersionKey.lsnOf(k));
                    default -> maxLsn;
                };
                if (Lsn.isAfter(lsn, maxLsn)) {
                    continue;
                }
                check(r, VersionKey.pageKeyOf(k), lsn);
            }
        }

        void check(Reader r, byte[] page, long lsn) {
            Reader.Answer a = r.read(page, lsn);
            if (a.belowHorizon()) {
                refused.incrementAndGet();
                return;
            }
            byte[] want = model.get().page(page, lsn);
            if (!Arrays.equals(a.page(), want)) {
                throw new AssertionError("page " + HexFormat.of().formatHex(page) + " at LSN " + lsn + " (horizon "
                        + r.horizon() + ") differs from the model: got " + (a.page() == null ? "no page" : "a page")
                        + ", model " + (want == null ? "no page" : "a page"));
            }
            served.incrementAndGet();
        }
    }

    private static long retirements(ItEnv env) {
        return IntStream.range(0, env.partitions).mapToLong(p -> env.catalog.jobs().recent(p, 1000).stream()
                .filter(j -> j.kind().equals("retire") && j.status() == CompactionJob.Status.SUCCEEDED).count()).sum();
    }

    @Test
    void readsBelowTheRetentionHorizonAreRefusedAndReadsAtOrAboveItMatchTheModelThroughGcAndDeletion() throws Exception {
        try (ItEnv env = new ItEnv(dir, 2)) {
            env.env.put("SE_COMPACTOR_RETENTION_LSN_BYTES", Long.toString(RETENTION));
            env.env.put("SE_COMPACTOR_GC_GRACE", "5s");
            env.env.put("SE_COMPACTOR_L0_TRIGGER", "1"); // each chunk (one transaction, one L0 cut) becomes a generation
            WalStream wal = new WalStream();
            AtomicLong covered = new AtomicLong(-1); // reads go up to the newest LSN every partition has cut
            AtomicReference<Throwable> duringFailure = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean(); // not an interrupt: that would close the segment files' channels
            AtomicLong duringPasses = new AtomicLong();
            try (CompactorWorker w = env.startWorker(); Reader during = new Reader(env.catalog, env.store, env.partitions)) {
                Checker checker = null;
                Checker duringChecker = null;
                Thread reader = null;
                long firstRoundRetirements = 0;
                for (int k = 0; k < 6; k++) {
                    wal.publish(env.broker, env.topic, env.partitions, T, chunk(k));
                    env.awaitCaughtUpAndSettled(TIMEOUT);
                    Model model = Model.of(wal);
                    if (duringChecker != null) {
                        duringChecker.model.set(model); // before raising the covered LSN: the model holds all of it
                    }
                    covered.set(wal.maxLsn.get(T));
                    if (k == 0) {
                        checker = new Checker(model);
                        // Before GC: no horizon yet, every read answers the model.
                        try (Reader before = new Reader(env.catalog, env.store, env.partitions)) {
                            before.refresh();
                            assertThat(before.horizon()).isZero();
                            checker.pass(before, new Random(1), 1500, covered.get());
                            assertThat(checker.refused.get()).isZero();
                        }
                        // During: a reader keeps comparing while later chunks are compacted and GC runs.
                        Checker c = new Checker(model);
                        reader = Thread.ofPlatform().name("gc-it-reader").start(() -> {
                            Random rnd = new Random(2);
                            try {
                                while (!stop.get()) {
                                    during.refresh();
                                    c.pass(during, rnd, 100, covered.get());
                                    duringPasses.incrementAndGet();
                                }
                            } catch (Throwable t) {
                                duringFailure.set(t);
                            }
                        });
                        duringChecker = c;
                    }
                    if (k == 3) {
                        ItEnv.await(TIMEOUT, () -> retirements(env) > 0, "a GC retirement on the retention horizon");
                        env.awaitCaughtUpAndSettled(TIMEOUT);
                        firstRoundRetirements = retirements(env);
                    }
                }
                // Phase 2 moved the newest LSN on: GC goes on with a higher horizon (not frozen at the first one).
                ItEnv.await(TIMEOUT, () -> env.catalog.timelines().gcHorizon(T).orElse(0) > BASE + 4 * CHUNK_SPAN - RETENTION,
                        "the published horizon follows the newest LSN");
                env.awaitCaughtUpAndSettled(TIMEOUT);
                stop.set(true);
                reader.join();
                assertThat(duringFailure.get()).as("reads during compaction and GC").isNull();
                assertThat(duringPasses.get()).isPositive();
                assertThat(duringChecker.served.get()).isPositive();
                assertThat(retirements(env)).isGreaterThan(firstRoundRetirements);

                // The horizon was computed from retention: below the newest applied LSN by at least the retention.
                TimelineInfo info = env.catalog.timelines().find(T).orElseThrow();
                long h = info.gcHorizonLsn();
                assertThat(h).isPositive().isLessThanOrEqualTo(info.lastAppliedLsn() - RETENTION);
                assertThat(info.lastAppliedLsn()).isEqualTo(wal.maxLsn.get(T));

                checker.model.set(Model.of(wal));
                Model all = checker.model.get();
                // After GC: at and above the horizon, the model; below it, refused, and the data is really gone.
                Reader after = new Reader(env.catalog, env.store, env.partitions);
                after.refresh();
                assertThat(after.horizon()).isEqualTo(h);
                int below = 0;
                int goneBelow = 0;
                int atOrAbove = 0;
                for (byte[] k : wal.reference.keySet()) {
                    long lsn = VersionKey.lsnOf(k);
                    byte[] page = VersionKey.pageKeyOf(k);
                    if (Lsn.isBefore(lsn, h)) {
                        assertThat(after.read(page, lsn).belowHorizon()).isTrue();
                        below++;
                        if (!Arrays.equals(after.unchecked(page, lsn), all.page(page, lsn))) {
                            goneBelow++;
                        }
                    } else {
                        checker.check(after, page, lsn);
                        atOrAbove++;
                    }
                }
                for (byte[] page : wal.reference.keySet().stream().map(VersionKey::pageKeyOf).distinct().toList()) {
                    checker.check(after, page, h); // exactly at the horizon
                    checker.check(after, page, wal.maxLsn.get(T));
                }
                assertThat(below).isPositive();
                assertThat(atOrAbove).isPositive();
                assertThat(goneBelow).as("reads below the horizon the segments can no longer answer").isPositive();

                // Retired files are deleted after the grace period: the same answers from what is left.
                List<String> retired = IntStream.range(0, env.partitions).boxed()
                        .flatMap(p -> env.catalog.jobs().recent(p, 1000).stream())
                        .filter(j -> j.kind().equals("retire") && j.status() == CompactionJob.Status.SUCCEEDED)
                        .flatMap(j -> j.inputs().stream()).toList();
                assertThat(retired).isNotEmpty();
                ItEnv.await(TIMEOUT, () -> env.catalog.segments().retiredBefore(Instant.now().plusSeconds(3600)).isEmpty(),
                        "retired files deleted after the grace period");
                for (String name : retired) {
                    assertThat(env.catalog.segments().segment(name).orElseThrow().state()).isEqualTo(SegmentState.DELETED);
                    assertThat(Files.exists(env.segmentDir.resolve(name))).as(name).isFalse();
                }
                after.close();
                try (Reader deleted = new Reader(env.catalog, env.store, env.partitions)) {
                    deleted.refresh();
                    long served = checker.served.get();
                    checker.pass(deleted, new Random(3), 3000, wal.maxLsn.get(T));
                    assertThat(checker.served.get()).isGreaterThan(served);
                    assertThat(deleted.read(VersionKey.pageKeyOf(wal.reference.firstKey()), BASE).belowHorizon()).isTrue();
                }
                assertThat(SegmentCheck.count(env.catalog, SegmentKind.IMAGE, -1)).isPositive();
                SegmentCheck.assertPagesMatch(env.catalog, env.store, wal, page -> h, 500, 4);
                assertThat(w.isHealthy()).isTrue();
            }
        }
    }
}
