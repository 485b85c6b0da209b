package io.storageengine.compactor.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drives many rounds of ingest, L0 cuts, planning, compaction and GC on a model partition (records
 * are tiny model values, segments hold them in memory), with the real {@link LeveledPlanner}
 * deciding from metadata only. After every job it checks: each record is held by at most one
 * active DELTA segment (nothing doubled); and every read at an LSN at or above the horizon
 * returns what the reference model (all records ever written) returns (nothing needed lost).
 */
class CompactionSimulatorTest {
    private static final int TIMELINES = 3;
    private static final int PAGES = 25;
    private static final long IMAGE_SIZE = 8200;
    private static final long DELTA_SIZE = 100;

    /** A WAL record of the model: a page's state becomes image(lsn) or state*31+lsn. */
    record Rec(long offset, int tl, int page, long lsn, boolean image) {
        byte[] key() {
            return Metas.key(tl, page, lsn);
        }
    }

    /** An image entry of an IMAGE segment: the page state as of lsn. */
    record Img(int page, long lsn, long state) {
    }

    static final class Seg {
        SegmentView meta;
        List<Rec> records = List.of();
        Map<Integer, Img> images = Map.of();
        int tl;
        private Map<Integer, List<Rec>> byPage;

        List<Rec> of(int tl, int page) {
            if (byPage == null) {
                byPage = new HashMap<>();
                records.forEach(r -> byPage.computeIfAbsent(r.tl() * 1000 + r.page(), k -> new ArrayList<>()).add(r));
            }
            return byPage.getOrDefault(tl * 1000 + page, List.of());
        }
    }

    static final class Sim {
        final Random rnd;
        final CompactionPolicy policy;
        final LeveledPlanner planner = new LeveledPlanner();
        final List<Rec> all = new ArrayList<>();
        final Map<Integer, List<Rec>> allByPage = new HashMap<>();
        final List<Rec> pending = new ArrayList<>();
        final List<Seg> active = new ArrayList<>();
        final long[] lsn = new long[TIMELINES + 1];
        final Map<TimelineKey, Long> newest = new HashMap<>();
        final Map<TimelineKey, Long> explicit = new HashMap<>();
        long nextOffset;
        long cutStart;
        long nextId = 1;
        int jobsRun;
        final Map<String, Integer> jobKinds = new TreeMap<>();

        Sim(long seed) {
            rnd = new Random(seed);
            policy = new CompactionPolicy(2 + rnd.nextInt(3), 1L << 40, 20_000 + rnd.nextInt(40_000),
                    1 + rnd.nextInt(3), 200 + rnd.nextInt(800), 2 + rnd.nextInt(3));
        }

        Sim(long seed, CompactionPolicy policy) {
            rnd = new Random(seed);
            this.policy = policy;
        }

        /** Active L1 DELTA segments. */
        long l1Count() {
            return active.stream().filter(s -> s.meta.isL1()).count();
        }

        void ingest(int n) {
            for (int i = 0; i < n; i++) {
                int tl = 1 + rnd.nextInt(TIMELINES);
                if (rnd.nextInt(20) == 0) {
                    nextOffset++; // a watermark or a bad record: consumes an offset, holds no page record
                    continue;
                }
                lsn[tl] += 1 + rnd.nextInt(40);
                Rec r = new Rec(nextOffset++, tl, rnd.nextInt(PAGES), lsn[tl], rnd.nextInt(8) == 0);
                all.add(r);
                allByPage.computeIfAbsent(tl * 1000 + r.page(), k -> new ArrayList<>()).add(r);
                pending.add(r);
                newest.merge(Metas.timeline(tl), r.lsn(), Math::max);
            }
        }

        void cutL0() {
            if (pending.isEmpty()) {
                return;
            }
            List<Rec> sorted = new ArrayList<>(pending);
            sorted.sort(Comparator.comparing(Rec::key, VersionKey::compare));
            Seg s = delta(0, cutStart, nextOffset, sorted);
            active.add(s);
            pending.clear();
            cutStart = nextOffset;
        }

        Seg delta(int level, long start, long end, List<Rec> sorted) {
            Seg s = new Seg();
            s.records = List.copyOf(sorted);
            long size = sorted.stream().mapToLong(r -> r.image() ? IMAGE_SIZE : DELTA_SIZE).sum();
            s.meta = new SegmentView(nextId++, SegmentKind.DELTA, level, 0, start, end, sorted.get(0).key(),
                    sorted.get(sorted.size() - 1).key(), sorted.stream().mapToLong(Rec::lsn).min().orElseThrow(),
                    sorted.stream().mapToLong(Rec::lsn).max().orElseThrow(), size);
            return s;
        }

        Seg find(SegmentView m) {
            return active.stream().filter(s -> s.meta.id() == m.id()).findFirst()
                    .orElseGet(() -> fail("job input " + m + " is not active"));
        }

        PartitionSnapshot snapshot() {
            return new PartitionSnapshot(0, active.stream().map(s -> s.meta).toList(), newest, explicit);
        }

        /** Plans and runs jobs until the planner has nothing left (bounded), checking after each. */
        void compact() {
            for (int i = 0; i < 20; i++) {
                List<PlannedJob> jobs = planner.plan(snapshot(), policy);
                if (jobs.isEmpty()) {
                    return;
                }
                run(jobs.get(0));
                check();
            }
        }

        void run(PlannedJob job) {
            jobsRun++;
            jobKinds.merge(job.kind(), 1, Integer::sum);
            List<Seg> inputs = job.inputs().stream().map(this::find).toList();
            switch (job) {
                case PlannedJob.Retire r -> {
                    // As JobExecutor does: publish (raise) the horizons the decision relies on, then retire.
                    r.horizons().forEach((t, h) -> explicit.merge(t, h, Math::max));
                    active.removeAll(inputs);
                }
                case PlannedJob.MergeL0 m -> merge(inputs);
                case PlannedJob.MergeL1 m -> {
                    long start = inputs.stream().mapToLong(x -> x.meta.startOffset()).min().orElseThrow();
                    long end = inputs.stream().mapToLong(x -> x.meta.endOffset()).max().orElseThrow();
                    for (Seg in : inputs) {
                        assertThat(in.meta.isL1()).as("re-merge input %s", in.meta).isTrue();
                        assertThat(in.meta.timelineOrNull()).isEqualTo(m.timeline());
                    }
                    // Whole generations only: no other active segment of the timeline overlaps the run's offsets.
                    for (Seg other : active) {
                        if (!inputs.contains(other) && m.timeline().equals(other.meta.timelineOrNull())
                                && other.meta.startOffset() < end && other.meta.endOffset() > start) {
                            fail("re-merge of " + start + ".." + end + " leaves overlapping " + other.meta);
                        }
                    }
                    merge(inputs);
                }
                case PlannedJob.CreateImages c -> {
                    Map<Integer, Img> state = new TreeMap<>();
                    int tl = (int) c.timeline().tenant().lo();
                    for (Seg s : inputs) {
                        if (s.meta.isImage()) {
                            state.putAll(s.images);
                        }
                    }
                    List<Rec> recs = new ArrayList<>();
                    inputs.stream().filter(s -> !s.meta.isImage()).forEach(s -> recs.addAll(s.records));
                    recs.sort(Comparator.comparing(Rec::key, VersionKey::compare));
                    for (Rec r : recs) {
                        assertThat(r.offset()).isLessThan(c.cutOffset());
                        Img base = state.get(r.page());
                        if (base != null && base.lsn() >= r.lsn()) {
                            continue;
                        }
                        state.put(r.page(), new Img(r.page(), r.lsn(), apply(base == null ? null : base.state(), r)));
                    }
                    Seg s = new Seg();
                    s.tl = tl;
                    s.images = Map.copyOf(state);
                    List<Img> imgs = new ArrayList<>(state.values());
                    s.meta = new SegmentView(nextId++, SegmentKind.IMAGE, 1, 0,
                            inputs.stream().mapToLong(x -> x.meta.startOffset()).min().orElseThrow(), c.cutOffset(),
                            Metas.key(tl, imgs.get(0).page(), imgs.get(0).lsn()),
                            Metas.key(tl, imgs.get(imgs.size() - 1).page(), imgs.get(imgs.size() - 1).lsn()),
                            imgs.stream().mapToLong(Img::lsn).min().orElseThrow(),
                            imgs.stream().mapToLong(Img::lsn).max().orElseThrow(), imgs.size() * IMAGE_SIZE);
                    active.add(s);
                }
            }
        }

        /** An L1 merge (of L0s, or a re-merge of L1s): records k-way merged, split by timeline and target size. */
        void merge(List<Seg> inputs) {
            List<Rec> recs = new ArrayList<>();
            inputs.forEach(s -> recs.addAll(s.records));
            recs.sort(Comparator.comparing(Rec::key, VersionKey::compare));
            long start = inputs.stream().mapToLong(s -> s.meta.startOffset()).min().orElseThrow();
            long end = inputs.stream().mapToLong(s -> s.meta.endOffset()).max().orElseThrow();
            List<Seg> out = new ArrayList<>();
            List<Rec> cur = new ArrayList<>();
            long size = 0;
            for (Rec r : recs) {
                boolean boundary = !cur.isEmpty() && (cur.get(cur.size() - 1).tl() != r.tl()
                        || (size >= policy.l1TargetBytes() && cur.get(cur.size() - 1).page() != r.page()));
                if (boundary) {
                    out.add(delta(1, start, end, cur));
                    cur = new ArrayList<>();
                    size = 0;
                }
                cur.add(r);
                size += r.image() ? IMAGE_SIZE : DELTA_SIZE;
            }
            out.add(delta(1, start, end, cur));
            active.removeAll(inputs);
            active.addAll(out);
        }

        static long apply(Long state, Rec r) {
            if (r.image()) {
                return r.lsn() * 1_000_003L + r.page();
            }
            return (state == null ? 0 : state) * 31 + r.lsn();
        }

        /** Reference: the page from every record ever written with lsn ≤ at. */
        Long reference(int tl, int page, long at) {
            Long state = null;
            for (Rec r : allByPage.getOrDefault(tl * 1000 + page, List.of())) {
                if (r.lsn() <= at) {
                    state = apply(state, r);
                }
            }
            return state;
        }

        /** A read through the active segments, as the page service does: newest image ≤ at, then deltas. */
        Long read(int tl, int page, long at) {
            TreeMap<Long, Object> versions = new TreeMap<>(); // lsn -> Rec or Img (an Img wins a tie)
            for (Seg s : active) {
                if (s.meta.isImage()) {
                    Img i = s.tl == tl ? s.images.get(page) : null;
                    if (i != null && i.lsn() <= at) {
                        versions.put(i.lsn(), i);
                    }
                } else {
                    for (Rec r : s.of(tl, page)) {
                        if (r.lsn() <= at) {
                            versions.putIfAbsent(r.lsn(), r);
                        }
                    }
                }
            }
            Long state = null;
            Long base = null;
            for (Map.Entry<Long, Object> e : versions.descendingMap().entrySet()) {
                if (e.getValue() instanceof Img || ((Rec) e.getValue()).image()) {
                    base = e.getKey();
                    break;
                }
            }
            for (Map.Entry<Long, Object> e : versions.entrySet()) {
                if (base != null && e.getKey() < base) {
                    continue;
                }
                state = e.getValue() instanceof Img i ? Long.valueOf(i.state()) : Long.valueOf(apply(state, (Rec) e.getValue()));
            }
            return state;
        }

        void check() {
            Set<Rec> seen = new HashSet<>();
            for (Seg s : active) {
                for (Rec r : s.records) {
                    if (!seen.add(r)) {
                        fail("record " + r + " is in two active delta segments");
                    }
                }
            }
            for (int tl = 1; tl <= TIMELINES; tl++) {
                long h = snapshot().horizon(Metas.timeline(tl), policy);
                long top = lsn[tl];
                for (int page = 0; page < PAGES; page++) {
                    for (long at : new long[] {h, top, h + (top > h ? rnd.nextLong(top - h + 1) : 0)}) {
                        if (at < h) {
                            continue;
                        }
                        assertThat(read(tl, page, at)).as("timeline %d page %d at %d (horizon %d, %d jobs)",
                                tl, page, at, h, jobsRun).isEqualTo(reference(tl, page, at));
                    }
                }
            }
        }
    }

    static LongStream seeds40() {
        return LongStream.range(0, 40).map(i -> i * 0x9E3779B97F4A7C15L);
    }

    static LongStream seeds5() {
        return LongStream.range(100, 105);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void compactionAndGcNeverChangeAReadAtOrAboveTheHorizon(long seed) {
        Sim sim = new Sim(seed);
        for (int round = 0; round < 60; round++) {
            sim.ingest(20 + sim.rnd.nextInt(60));
            sim.cutL0();
            if (sim.rnd.nextInt(10) == 0) {
                TimelineKey t = Metas.timeline(1 + sim.rnd.nextInt(TIMELINES));
                long h = sim.snapshot().horizon(t, sim.policy);
                // Horizons only move forward: an explicit one is set at or above the current one.
                sim.explicit.put(t, h + sim.rnd.nextInt(300));
            }
            sim.compact();
            sim.check();
        }
        assertThat(sim.jobsRun).isPositive();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds5")
    void longRunsExerciseEveryJobKindAndKeepTheSegmentCountBounded(long seed) {
        Sim sim = new Sim(seed);
        int retiresFirstHalf = 0;
        for (int round = 0; round < 300; round++) {
            sim.ingest(50);
            sim.cutL0();
            sim.compact();
            if (round == 149) {
                retiresFirstHalf = sim.jobKinds.getOrDefault("retire", 0);
            }
        }
        sim.check();
        assertThat(sim.jobKinds).containsKeys("merge_l0", "create_images", "retire");
        // GC keeps collecting as the timelines advance: a published horizon must not freeze retention.
        assertThat(sim.jobKinds.get("retire")).as("retirements in the second half of the run")
                .isGreaterThan(retiresFirstHalf);
        // GC keeps the active set from growing with the input: far fewer segments than L0 cuts.
        assertThat(sim.active.size()).isLessThan(150);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds5")
    void aQuietPartitionsSmallL1GenerationsAreReMergedWithoutChangingAnyRead(long seed) {
        // Tiny L0 cuts (a time-based flush of a quiet partition), images rare: without re-merging, every
        // L0 merge would leave one more small L1 per timeline (about 100 per timeline here, 300 in all).
        Sim sim = new Sim(seed, new CompactionPolicy(2, 1L << 40, 20_000, 1_000, 1L << 40, 4));
        int l0Merges = 0;
        for (int round = 0; round < 200; round++) {
            sim.ingest(3 + sim.rnd.nextInt(5));
            sim.cutL0();
            int before = sim.jobKinds.getOrDefault("merge_l0", 0);
            sim.compact(); // checks every read after every job
            l0Merges += sim.jobKinds.getOrDefault("merge_l0", 0) - before;
        }
        sim.check();
        assertThat(sim.jobKinds).containsKeys("merge_l0", "merge_l1");
        assertThat(l0Merges).isGreaterThan(80);
        long l1Bytes = sim.active.stream().filter(s -> s.meta.isL1()).mapToLong(s -> s.meta.sizeBytes()).sum();
        // Segments of at least half the target, plus per timeline a tail of small generations that the
        // doubling rule keeps logarithmic (log2(20 000 / 100) < 8 sizes, each fewer than the trigger).
        assertThat(sim.l1Count()).as("active L1 segments after %d L0 merges", l0Merges)
                .isLessThanOrEqualTo(l1Bytes / 10_000 + TIMELINES * 8L * 4);
    }
}
