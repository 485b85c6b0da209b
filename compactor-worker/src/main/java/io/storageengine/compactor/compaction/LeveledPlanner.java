package io.storageengine.compactor.compaction;

import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The default planner, in the spirit of Neon's layers:
 * <ol>
 *   <li>GC (cheap, metadata only): for each timeline, the newest IMAGE segment whose every image is
 *       at or below the timeline's horizon ({@code maxLsn ≤ horizon}) shadows every L1 segment of
 *       that timeline ending at or before its cut and every older image: a read at L ≥ horizon
 *       starts from that image or a newer one. Those are retired.</li>
 *   <li>L0 → L1 once the partition has {@code l0Trigger} L0 segments or {@code l0TriggerBytes}.
 *       All L0s are merged at once; they cover consecutive offsets, so L1 generations never overlap.</li>
 *   <li>L1 re-merge: a timeline's L1 generations after its newest image (a generation = the L1
 *       segments of one timeline written by one merge, sharing one offset range) are walked in
 *       offset order, which is LSN order within the timeline; a run of adjacent <em>small</em>
 *       generations (each below half of {@code l1TargetBytes}) whose sizes add up to at most the
 *       target is merged into target-size L1 segments covering the run's offsets once the run has
 *       {@code l1MergeTrigger} generations, or at least two holding half the target together, and
 *       its largest generation is no larger than the others together. That last rule bounds the
 *       rewriting: a byte is rewritten only into a segment at least twice as large, and a
 *       generation of half the target is never an input again, so each byte is rewritten at most
 *       log2(target / smallest generation) times. Small generations come from time-based L0 cuts
 *       of quiet partitions; without this every cold lookup would consult one more segment per
 *       cut. Whole generations only, never across an image cut, so generations never overlap and
 *       GC and image planning see the same offset ranges as before. Planned before images: a
 *       merged run counts as one generation, so images of quiet timelines wait for larger
 *       generations.</li>
 *   <li>Images for a timeline once {@code imageChainThreshold} L1 generations follow its newest image.</li>
 * </ol>
 * L0 segments are never retired directly: they span timelines and are merged first.
 * Stateless and thread-safe.
 */
public final class LeveledPlanner implements CompactionPlanner {

    @Override
    public List<PlannedJob> plan(PartitionSnapshot snapshot, CompactionPolicy policy) {
        List<PlannedJob> jobs = new ArrayList<>(4);
        List<SegmentView> retire = retirable(snapshot, policy);
        if (!retire.isEmpty()) {
            Map<TimelineKey, Long> horizons = new LinkedHashMap<>();
            for (SegmentView s : retire) {
                if (s.timelineOrNull() != null) {
                    horizons.computeIfAbsent(s.timelineOrNull(), t -> snapshot.horizon(t, policy));
                }
            }
            jobs.add(new PlannedJob.Retire(snapshot.partition(), retire, "shadowed by an image below the horizon", horizons));
        }
        List<SegmentView> l0 = snapshot.segments().stream().filter(SegmentView::isL0)
                .sorted(Comparator.comparingLong(SegmentView::startOffset)).toList();
        long l0Bytes = l0.stream().mapToLong(SegmentView::sizeBytes).sum();
        if (!l0.isEmpty() && (l0.size() >= policy.l0Trigger() || l0Bytes >= policy.l0TriggerBytes())) {
            jobs.add(new PlannedJob.MergeL0(snapshot.partition(), l0));
        }
        for (Map.Entry<TimelineKey, List<SegmentView>> e : l1ByTimeline(snapshot).entrySet()) {
            SegmentView image = newestImage(snapshot, e.getKey());
            long after = image == null ? Long.MIN_VALUE : image.endOffset();
            List<SegmentView> run = smallRun(e.getValue().stream().filter(s -> s.endOffset() > after).toList(), policy);
            if (!run.isEmpty()) {
                jobs.add(new PlannedJob.MergeL1(snapshot.partition(), e.getKey(), run));
            }
        }
        for (Map.Entry<TimelineKey, List<SegmentView>> e : l1ByTimeline(snapshot).entrySet()) {
            SegmentView image = newestImage(snapshot, e.getKey());
            long after = image == null ? Long.MIN_VALUE : image.endOffset();
            List<SegmentView> chain = e.getValue().stream().filter(s -> s.endOffset() > after).toList();
            long generations = chain.stream().mapToLong(SegmentView::endOffset).distinct().count();
            if (generations >= policy.imageChainThreshold()) {
                long cut = chain.stream().mapToLong(SegmentView::endOffset).max().orElseThrow();
                List<SegmentView> inputs = new ArrayList<>(chain.size() + 1);
                if (image != null) {
                    inputs.add(image);
                }
                inputs.addAll(chain);
                jobs.add(new PlannedJob.CreateImages(snapshot.partition(), e.getKey(), cut, inputs));
            }
        }
        return jobs;
    }

    /** The segments GC may retire now (see the class comment). */
    public static List<SegmentView> retirable(PartitionSnapshot snapshot, CompactionPolicy policy) {
        List<SegmentView> out = new ArrayList<>();
        Map<TimelineKey, List<SegmentView>> images = new LinkedHashMap<>();
        for (SegmentView s : snapshot.segments()) {
            TimelineKey t = s.timelineOrNull();
            if (s.isImage() && t != null) {
                images.computeIfAbsent(t, k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<TimelineKey, List<SegmentView>> e : images.entrySet()) {
            long horizon = snapshot.horizon(e.getKey(), policy);
            SegmentView shadow = e.getValue().stream()
                    .filter(i -> !Lsn.isAfter(i.maxLsn(), horizon))
                    .max(Comparator.comparingLong(SegmentView::endOffset)).orElse(null);
            if (shadow == null) {
                continue;
            }
            for (SegmentView s : snapshot.segments()) {
                if (!e.getKey().equals(s.timelineOrNull()) || s.id() == shadow.id()) {
                    continue;
                }
                if ((s.isL1() && s.endOffset() <= shadow.endOffset()) || (s.isImage() && s.endOffset() < shadow.endOffset())) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /**
     * The oldest run of adjacent small generations worth re-merging among {@code chain} (the L1
     * segments of one timeline after its newest image), as the segments of those generations in
     * offset order; empty if none (see the class comment).
     */
    static List<SegmentView> smallRun(List<SegmentView> chain, CompactionPolicy policy) {
        TreeMap<Long, List<SegmentView>> gens = new TreeMap<>();
        for (SegmentView s : chain) {
            gens.computeIfAbsent(s.startOffset(), k -> new ArrayList<>()).add(s);
        }
        List<List<SegmentView>> ordered = new ArrayList<>(gens.values());
        long prevEnd = Long.MIN_VALUE;
        for (List<SegmentView> g : ordered) {
            long end = g.get(0).endOffset();
            if (g.stream().anyMatch(s -> s.endOffset() != end) || g.get(0).startOffset() < prevEnd) {
                return List.of(); // overlapping offset ranges: not the shape merges produce; leave it alone
            }
            prevEnd = end;
        }
        long target = policy.l1TargetBytes();
        for (int i = 0; i < ordered.size(); i++) {
            long total = 0;
            long largest = 0;
            int j = i;
            while (j < ordered.size()) {
                long size = bytes(ordered.get(j));
                if (size >= target / 2 || total + size > target) {
                    break;
                }
                total += size;
                largest = Math.max(largest, size);
                j++;
            }
            int count = j - i;
            if (count >= 2 && largest <= total - largest && (count >= policy.l1MergeTrigger() || total >= target / 2)) {
                List<SegmentView> out = new ArrayList<>();
                ordered.subList(i, j).forEach(out::addAll);
                return out;
            }
        }
        return List.of();
    }

    private static long bytes(List<SegmentView> generation) {
        return generation.stream().mapToLong(SegmentView::sizeBytes).sum();
    }

    private static Map<TimelineKey, List<SegmentView>> l1ByTimeline(PartitionSnapshot snapshot) {
        Map<TimelineKey, List<SegmentView>> m = new LinkedHashMap<>();
        for (SegmentView s : snapshot.segments()) {
            TimelineKey t = s.timelineOrNull();
            if (s.isL1() && t != null) {
                m.computeIfAbsent(t, k -> new ArrayList<>()).add(s);
            }
        }
        return m;
    }

    private static SegmentView newestImage(PartitionSnapshot snapshot, TimelineKey t) {
        return snapshot.segments().stream().filter(s -> s.isImage() && t.equals(s.timelineOrNull()))
                .max(Comparator.comparingLong(SegmentView::endOffset)).orElse(null);
    }
}
